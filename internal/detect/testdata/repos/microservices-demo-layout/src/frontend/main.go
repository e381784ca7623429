package main

import (
	"net/http"
	"os"

	"github.com/gorilla/mux"
	"google.golang.org/grpc"
)

const port = "8080"

func main() {
	srvPort := port
	if os.Getenv("PORT") != "" {
		srvPort = os.Getenv("PORT")
	}
	_, _ = grpc.Dial("productcatalogservice:3550")
	r := mux.NewRouter()
	http.ListenAndServe(":"+srvPort, r)
}

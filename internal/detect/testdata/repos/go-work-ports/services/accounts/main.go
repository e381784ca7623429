package main

import (
	"log"
	"net/http"
	"os"
)

func getEnv(key, fallback string) string {
	if v, ok := os.LookupEnv(key); ok {
		return v
	}
	return fallback
}

func main() {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /healthz", func(w http.ResponseWriter, _ *http.Request) {})
	log.Fatal(http.ListenAndServe(":"+getEnv("ACCOUNTS_PORT", "8081"), mux))
}

package main

import (
	"embed"
	"io/fs"
	"net/http"

	"github.com/go-chi/chi/v5"
)

//go:embed web/dist
var dist embed.FS

func main() {
	r := chi.NewRouter()
	r.Get("/healthz", func(w http.ResponseWriter, _ *http.Request) {})
	sub, _ := fs.Sub(dist, "web/dist")
	r.Handle("/*", http.FileServer(http.FS(sub)))
	http.ListenAndServe(":8080", r)
}

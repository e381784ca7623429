package main

import (
	"log"
	"net/http"

	"github.com/acme/inventory/internal/config"
	"github.com/go-chi/chi/v5"
)

func main() {
	cfg := config.Load()
	r := chi.NewRouter()
	r.Get("/livez", func(w http.ResponseWriter, _ *http.Request) { w.WriteHeader(204) })
	log.Fatal(http.ListenAndServe(cfg.Addr(), r))
}

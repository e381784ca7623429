package main

import (
	"context"
	"log"
	"net/http"
	"os"

	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc"
	"google.golang.org/grpc"
)

func main() {
	_, _ = otlptracegrpc.New(context.Background(), otlptracegrpc.WithDialOption(grpc.WithBlock()))
	port := os.Getenv("PORT")
	if port == "" {
		port = "8080"
	}
	http.HandleFunc("/healthz", func(w http.ResponseWriter, r *http.Request) {})
	log.Fatal(http.ListenAndServe(":"+port, nil))
}

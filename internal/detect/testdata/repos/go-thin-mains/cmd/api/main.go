package main

import (
	"context"
	"log"

	"github.com/acme/shop/internal/server"
)

func main() {
	if err := server.Run(context.Background(), ":9000"); err != nil {
		log.Fatal(err)
	}
}

module github.com/acme/shipping

go 1.22.1

require (
	github.com/go-chi/chi/v5 v5.0.12
	github.com/nats-io/nats.go v1.34.1
)

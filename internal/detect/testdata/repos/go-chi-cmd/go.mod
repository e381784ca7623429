module github.com/acme/inventory

go 1.22.0

require (
	github.com/go-chi/chi/v5 v5.0.12
	github.com/caarlos0/env/v11 v11.0.0
)

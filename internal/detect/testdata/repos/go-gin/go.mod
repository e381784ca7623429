module github.com/acme/payments

go 1.22.2

require (
	github.com/gin-gonic/gin v1.10.0
	github.com/jackc/pgx/v5 v5.5.5
)

module github.com/acme/mono/services/api

go 1.22.2

require (
	github.com/gin-gonic/gin v1.10.0
)

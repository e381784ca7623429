module github.com/acme/edge

go 1.21.0

toolchain go1.22.3

require (
	github.com/gin-gonic/gin v1.9.1
)

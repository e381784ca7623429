module github.com/acme/broken

go 1.22

require (
	github.com/gin-gonic/gin v1.10.0
	github.com/bad
)

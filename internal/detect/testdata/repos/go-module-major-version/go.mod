module github.com/acme/httpbin/v2

go 1.24

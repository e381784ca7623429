module github.com/acme/retry

go 1.21

module github.com/acme/loadgen

go 1.24

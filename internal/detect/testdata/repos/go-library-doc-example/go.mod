module github.com/acme/webkit/v4

go 1.25

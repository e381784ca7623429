module github.com/acme/herokuish

go 1.21

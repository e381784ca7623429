module github.com/acme/tiny

go 1.22

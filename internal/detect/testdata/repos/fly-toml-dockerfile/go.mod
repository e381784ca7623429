module github.com/acme/flyer

go 1.22

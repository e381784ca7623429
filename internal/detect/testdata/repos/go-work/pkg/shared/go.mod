module github.com/acme/mono/pkg/shared

go 1.22.2

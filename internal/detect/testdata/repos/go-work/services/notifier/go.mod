module github.com/acme/mono/services/notifier

go 1.22.2

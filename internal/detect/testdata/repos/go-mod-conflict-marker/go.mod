module github.com/acme/relay

<<<<<<< HEAD
go 1.22
=======
go 1.23
>>>>>>> upgrade-go

module github.com/acme/ratings

go 1.22

require (
	google.golang.org/grpc v1.63.2
	google.golang.org/protobuf v1.34.0
)

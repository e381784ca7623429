module github.com/GoogleCloudPlatform/microservices-demo/src/frontend

go 1.22

require (
	github.com/gorilla/mux v1.8.1
	google.golang.org/grpc v1.64.0
)

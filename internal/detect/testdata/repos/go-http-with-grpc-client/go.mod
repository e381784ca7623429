module github.com/acme/orders

go 1.23

require (
	go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracegrpc v1.32.0
	google.golang.org/grpc v1.68.0
)

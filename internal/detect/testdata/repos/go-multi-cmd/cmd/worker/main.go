package main

import "github.com/nats-io/nats.go"

func main() {
	nc, _ := nats.Connect(nats.DefaultURL)
	nc.Subscribe("shipments", func(m *nats.Msg) {})
	select {}
}

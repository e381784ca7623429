// Command capsule is the Capsule control plane, agent and CLI in one binary.
package main

import (
	"context"
	"os"
	"os/signal"
	"syscall"

	"github.com/usecapsule/capsule/internal/cli"
)

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	code := cli.Main(ctx, os.Args[1:], os.Stdin, os.Stdout, os.Stderr)
	stop()
	os.Exit(code)
}

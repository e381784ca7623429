package server

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/apiclient"
)

// TestShutdownClosesEventStreams: a client's events WebSocket is closed
// with 1001 (going away) when the server shuts down, instead of being cut.
func TestShutdownClosesEventStreams(t *testing.T) {
	s := start(t, t.TempDir(), map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword})
	c, err := apiclient.New("http://"+s.addr, login(t, s.addr, "owner@example.com", testPassword))
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	stream, err := c.Events(ctx, apiclient.EventFilter{})
	if err != nil {
		t.Fatal(err)
	}
	s.cancel()
	_, err = stream.Next(ctx)
	if !errors.Is(err, apiclient.ErrStreamEnded) || !strings.Contains(err.Error(), "1001") {
		t.Fatalf("at shutdown the stream ended with %v, want ErrStreamEnded (1001)", err)
	}
}

package gitprovider

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"sync/atomic"
	"testing"
)

// TestClientWithoutTransportIsRefused: a client without a transport would
// reach any address through http.DefaultTransport, around the egress guard;
// the provider clients refuse it instead, and nothing reaches the server.
func TestClientWithoutTransportIsRefused(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hits.Add(1) }))
	defer srv.Close()
	_, err := WithBackoff(&http.Client{}, 0).Get(srv.URL)
	if err == nil || !strings.Contains(err.Error(), "no transport") || hits.Load() != 0 {
		t.Fatalf("err = %v, %d requests reached the server", err, hits.Load())
	}
}

package server

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
)

// rawRequest writes req over a fresh TCP connection and reads one response.
func rawRequest(t *testing.T, addr, req string) (*http.Response, string) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	if _, err := io.WriteString(c, req); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), nil)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatal(err)
	}
	return resp, string(b)
}

// TestServerHeaderLimitAnswersJSON: the http.Server's own header limit is
// above the API's, so headers over the API's limit reach the middleware and
// get the JSON error shape instead of Go's plain-text 431. A malformed
// request line is answered by Go before any handler, in plain text.
func TestServerHeaderLimitAnswersJSON(t *testing.T) {
	s := start(t, t.TempDir(), nil)
	filler := strings.Repeat("x", httpapi.MaxHeaderBytes+1024)
	resp, body := rawRequest(t, s.addr, "GET /api/v1/projects HTTP/1.1\r\nHost: capsule\r\nX-Filler: "+filler+"\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || !strings.Contains(body, `"code":"`+capsule.CodeHeadersTooLarge+`"`) {
		t.Fatalf("oversized headers: %d %q, want 431 with the JSON error", resp.StatusCode, body)
	}
	resp, body = rawRequest(t, s.addr, "NOT A REQUEST LINE\r\n\r\n")
	if resp.StatusCode != http.StatusBadRequest {
		t.Fatalf("malformed request line: %d %q, want Go's 400", resp.StatusCode, body)
	}
}

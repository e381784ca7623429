package openaichat

import (
	"context"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode"
	"unicode/utf8"

	"github.com/usecapsule/capsule/internal/explain"
)

// FuzzDecodeBody: no answer of an endpoint panics the decoder; an error
// never carries more than a short, printable message of the endpoint.
func FuzzDecodeBody(f *testing.F) {
	for _, s := range []struct {
		status int
		body   string
	}{
		{200, `{"choices":[{"message":{"role":"assistant","content":"Deployment/R1 changes."}}]}`},
		{200, `{"choices":[]}`},
		{200, `not json`},
		{401, `{"error":{"message":"Incorrect API key provided","type":"invalid_request_error"}}`},
		{500, `{"error":{"message":"` + strings.Repeat("x\n", 300) + `"}}`},
		{502, `<html>bad gateway</html>`},
		{200, `{"choices":[{"message":{"content":null}}]}`},
		{200, `{"choices":[{"message":{"content":"\u0000\ud800"}}]}`},
	} {
		f.Add(s.status, []byte(s.body))
	}
	f.Fuzz(func(t *testing.T, status int, body []byte) {
		content, err := decodeBody(status, body)
		if err == nil {
			if status != http.StatusOK {
				t.Fatalf("HTTP %d accepted", status)
			}
			return
		}
		if content != "" {
			t.Fatalf("content %q with error %v", content, err)
		}
		msg := err.Error()
		if status != http.StatusOK {
			if len([]rune(msg)) > 260 || !utf8.ValidString(msg) || strings.IndexFunc(msg, unicode.IsControl) >= 0 {
				t.Fatalf("error message too long or unprintable: %q", msg)
			}
		}
	})
}

// TestDefaultClientIsGuarded: without an HTTP client of the caller's, the
// endpoint is reached through the guarded client, which refuses loopback.
func TestDefaultClientIsGuarded(t *testing.T) {
	hit := false
	srv := httptest.NewServer(http.HandlerFunc(func(http.ResponseWriter, *http.Request) { hit = true }))
	defer srv.Close()
	c := &Client{URL: srv.URL + "/v1", Model: "m"}
	_, err := c.Complete(context.Background(), []explain.Message{{Role: "user", Content: "hi"}})
	if err == nil || !strings.Contains(err.Error(), "loopback") || hit {
		t.Fatalf("err %v, reached %v", err, hit)
	}
}

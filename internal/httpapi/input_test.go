package httpapi_test

import (
	"bufio"
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
)

// rawPost sends body bytes exactly as given (json.Marshal would repair
// invalid UTF-8).
func rawPost(t *testing.T, e *env, path string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest("POST", e.srv.URL+path, bytes.NewReader(body))
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Authorization", "Bearer "+e.token)
	resp, err := e.srv.Client().Do(req)
	must(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.StatusCode, out
}

func errorMessage(body []byte) string {
	var b httpapi.ErrorBody
	_ = json.Unmarshal(body, &b)
	return b.Error.Message
}

// TestBodyHygiene: invalid UTF-8 is refused (encoding/json would store
// U+FFFD instead), nesting is bounded, and so are free-form settings.
func TestBodyHygiene(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	nested := func(depth int) string {
		return `{"name":"Deep","slug":"deep","settings":{"x":` + strings.Repeat("[", depth-2) + strings.Repeat("]", depth-2) + `}}`
	}
	manyKeys := map[string]any{}
	for i := range capsule.MaxSettingsKeys + 1 {
		manyKeys[fmt.Sprintf("k%d", i)] = i
	}
	big, err := json.Marshal(map[string]any{"name": "Big", "slug": "big", "settings": map[string]any{"blob": strings.Repeat("x", capsule.MaxSettingsBytes)}})
	must(t, err)
	many, err := json.Marshal(map[string]any{"name": "Many", "slug": "many", "settings": manyKeys})
	must(t, err)
	cases := []struct {
		name   string
		body   []byte
		status int
		code   string
		msg    string
	}{
		{"invalid UTF-8", []byte("{\"name\":\"Caf\xe9\",\"slug\":\"cafe\"}"), 400, capsule.CodeInvalidJSON, "invalid UTF-8 at byte offset 12"},
		{"truncated UTF-8 sequence", []byte("{\"name\":\"\xe2\x82\",\"slug\":\"euro\"}"), 400, capsule.CodeInvalidJSON, "invalid UTF-8 at byte offset 9"},
		{"lone surrogate escape", []byte(`{"name":"a\ud800","slug":"lone"}`), 400, capsule.CodeInvalidJSON, "unpaired UTF-16 surrogate escape at byte offset 10"},
		{"reversed surrogate pair", []byte(`{"name":"\ude00\ud83d","slug":"rev"}`), 400, capsule.CodeInvalidJSON, "unpaired UTF-16 surrogate escape at byte offset 9"},
		{"nested 33 deep", []byte(nested(httpapi.MaxJSONDepth + 1)), 400, capsule.CodeInvalidJSON, "nested deeper than 32 levels"},
		{"too many settings keys", many, 400, capsule.CodeValidation, "settings"},
		{"settings too large", big, 400, capsule.CodeValidation, "settings"},
		{"nested 32 deep is fine", []byte(nested(httpapi.MaxJSONDepth)), 201, "", ""},
		{"valid UTF-8 is fine", []byte(`{"name":"Café ☕ \ud83d\ude00 \"[[","slug":"cafe-ok"}`), 201, "", ""},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			status, out := rawPost(t, e, "/api/v1/projects", c.body)
			if status != c.status || errorCode(out) != c.code {
				t.Fatalf("got %d %s, want %d %s", status, out, c.status, c.code)
			}
			if !strings.Contains(errorMessage(out), c.msg) {
				t.Errorf("message %q does not name %q", errorMessage(out), c.msg)
			}
		})
	}
}

var generatedID = regexp.MustCompile(`^[0-9a-f]{32}$`)

// TestRequestIDOnlySafeTokens: a client's X-Request-ID is kept only when it
// is 1-128 of [A-Za-z0-9._-]; anything else is replaced, never echoed.
func TestRequestIDOnlySafeTokens(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	for _, c := range []struct {
		id   string
		keep bool
	}{
		{"abc-123_x.Y", true}, {strings.Repeat("a", 128), true},
		{strings.Repeat("a", 129), false}, {"a b", false}, {`x"y`, false}, {"user=admin", false},
		{"id;drop", false}, {"café", false}, {"a/b", false}, {"{json}", false},
	} {
		req, err := http.NewRequest("GET", e.srv.URL+"/healthz", nil)
		must(t, err)
		req.Header.Set("X-Request-ID", c.id)
		resp, err := e.srv.Client().Do(req)
		must(t, err)
		resp.Body.Close()
		got := resp.Header.Get("X-Request-ID")
		if c.keep && got != c.id {
			t.Errorf("%q: answered %q, want it kept", c.id, got)
		}
		if !c.keep && (got == c.id || !generatedID.MatchString(got)) {
			t.Errorf("%q: answered %q, want a fresh generated ID", c.id, got)
		}
	}
}

// TestServerErrorsAsJSON writes malformed requests over raw TCP: headers
// over the API's limit get a 431 in the JSON error shape (with the request
// ID), an unknown method path a JSON 405/404.
func TestServerErrorsAsJSON(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	addr := strings.TrimPrefix(e.srv.URL, "http://")
	raw := func(req string) (*http.Response, []byte) {
		t.Helper()
		c, err := net.Dial("tcp", addr)
		must(t, err)
		defer c.Close()
		_, err = io.WriteString(c, req)
		must(t, err)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		must(t, err)
		defer resp.Body.Close()
		body, err := io.ReadAll(resp.Body)
		must(t, err)
		return resp, body
	}
	big := strings.Repeat("x", httpapi.MaxHeaderBytes)
	resp, body := raw("GET /api/v1/projects HTTP/1.1\r\nHost: " + addr + "\r\nX-Filler: " + big + "\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != http.StatusRequestHeaderFieldsTooLarge || errorCode(body) != capsule.CodeHeadersTooLarge {
		t.Fatalf("oversized headers: %d %s, want 431 HEADERS_TOO_LARGE", resp.StatusCode, body)
	}
	if ct := resp.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		t.Errorf("oversized headers: Content-Type %q", ct)
	}
	if resp.Header.Get("X-Request-ID") == "" {
		t.Error("oversized headers: no X-Request-ID")
	}
	// Just under the limit is served normally (401: no credentials).
	resp, body = raw("GET /api/v1/projects HTTP/1.1\r\nHost: " + addr + "\r\nX-Filler: " + big[:httpapi.MaxHeaderBytes/2] + "\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != http.StatusUnauthorized {
		t.Fatalf("headers under the limit: %d %s", resp.StatusCode, body)
	}
	resp, body = raw("PATCH /api/v1/projects HTTP/1.1\r\nHost: " + addr + "\r\nConnection: close\r\n\r\n")
	if resp.StatusCode != http.StatusMethodNotAllowed || errorCode(body) != capsule.CodeMethodNotAllowed {
		t.Fatalf("unknown method: %d %s", resp.StatusCode, body)
	}
}

package httpapi_test

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/httpapi"
)

const metricsToken = "metrics-token-5b0f2c9e"

func withMetricsToken(c *httpapi.Config) { c.MetricsToken = metricsToken }

// TestNoStore: answers with tenants' data, tokens and errors are never
// cached by a browser or proxy; the documentation keeps its own caching.
func TestNoStore(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	tok := bearer(e.token)
	for _, c := range []struct {
		method, path string
		headers      map[string]string
		body         any
	}{
		{"GET", "/api/v1/projects", tok, nil},
		{"GET", "/api/v1/auth/me", tok, nil},
		{"GET", "/api/v1/organizations/" + e.orgID, tok, nil},
		{"GET", "/api/v1/projects", nil, nil},
		{"POST", "/api/v1/auth/login", nil, map[string]string{"email": adminEmail, "password": adminPassword}},
		{"POST", "/api/v1/auth/login", nil, map[string]string{"email": adminEmail, "password": "wrong-password"}},
		{"GET", "/api/v1/no-such-route", tok, nil},
	} {
		h := sendHeaders(t, e, c.method, c.path, c.headers, c.body)
		if got := h.Get("Cache-Control"); got != "no-store" {
			t.Errorf("%s %s: Cache-Control %q", c.method, c.path, got)
		}
	}
	h := sendHeaders(t, e, "GET", "/api/documentation/swagger-ui.css", nil, nil)
	if got := h.Get("Cache-Control"); !strings.HasPrefix(got, "public") {
		t.Errorf("documentation asset: Cache-Control %q", got)
	}
}

func sendHeaders(t *testing.T, e *env, method, path string, headers map[string]string, body any) http.Header {
	t.Helper()
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(mustJSON(t, body))
	}
	req, err := http.NewRequest(method, e.srv.URL+path, rd)
	must(t, err)
	req.Header.Set("Content-Type", "application/json")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := e.srv.Client().Do(req)
	must(t, err)
	resp.Body.Close()
	return resp.Header
}

// TestMetricsToken: /metrics on the API answers only a bearer of the
// metrics token, and is not served there at all without one; the handler
// for a listener of its own needs none.
func TestMetricsToken(t *testing.T) {
	get := func(srv *httptest.Server, auth string) (int, http.Header, string) {
		req, _ := http.NewRequest("GET", srv.URL+"/metrics", nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := srv.Client().Do(req)
		must(t, err)
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header, string(b)
	}
	plain := newEnv(t, sqliteDSN(t))
	if status, _, body := get(plain.srv, "Bearer anything"); status != 404 || !strings.Contains(body, "--metrics-token") {
		t.Errorf("without a token configured: %d %s", status, body)
	}
	own := httptest.NewServer(plain.api.MetricsHandler())
	defer own.Close()
	if status, _, body := get(own, ""); status != 200 || !strings.Contains(body, "capsule_http_requests_total") {
		t.Errorf("own listener: %d %.200s", status, body)
	}

	e := newEnv(t, sqliteDSN(t), withMetricsToken)
	for _, auth := range []string{"", "Bearer wrong", "Bearer " + metricsToken + "x", metricsToken, "Bearer " + e.token} {
		status, h, body := get(e.srv, auth)
		if status != 401 || h.Get("WWW-Authenticate") == "" || strings.Contains(body, "capsule_http") {
			t.Errorf("auth %.20q: %d %s", auth, status, body)
		}
	}
	if status, _, body := get(e.srv, "Bearer "+metricsToken); status != 200 || !strings.Contains(body, "capsule_http_requests_total") {
		t.Errorf("with the token: %d %.200s", status, body)
	}
}

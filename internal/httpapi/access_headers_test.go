package httpapi_test

import (
	"crypto/tls"
	"net/http/httptest"
	"strings"
	"testing"
)

func TestSecurityHeaders(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	for _, path := range []string{"/healthz", "/api/v1/projects", "/api/documentation", "/api/documentation.json"} {
		resp, err := e.srv.Client().Get(e.srv.URL + path)
		must(t, err)
		resp.Body.Close()
		h := resp.Header
		if h.Get("X-Content-Type-Options") != "nosniff" {
			t.Errorf("%s: X-Content-Type-Options %q", path, h.Get("X-Content-Type-Options"))
		}
		if h.Get("X-Frame-Options") != "DENY" || !strings.Contains(h.Get("Content-Security-Policy"), "frame-ancestors 'none'") {
			t.Errorf("%s: frame protection missing: %v", path, h)
		}
		if h.Get("Strict-Transport-Security") != "" {
			t.Errorf("%s: HSTS over plain HTTP", path)
		}
	}
	resp, _ := e.srv.Client().Get(e.srv.URL + "/api/documentation")
	resp.Body.Close()
	if csp := resp.Header.Get("Content-Security-Policy"); !strings.Contains(csp, "'sha256-") || strings.Contains(csp, "script-src 'self' 'unsafe-inline'") {
		t.Errorf("UI CSP %q", csp)
	}
	// Under TLS every response carries HSTS.
	ts := httptest.NewUnstartedServer(e.api)
	ts.TLS = &tls.Config{MinVersion: tls.VersionTLS13}
	ts.StartTLS()
	defer ts.Close()
	resp, err := ts.Client().Get(ts.URL + "/healthz")
	must(t, err)
	resp.Body.Close()
	if !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") || resp.TLS.Version != tls.VersionTLS13 {
		t.Errorf("TLS: HSTS %q, version %x", resp.Header.Get("Strict-Transport-Security"), resp.TLS.Version)
	}
}

func TestCrossSiteWritesRefused(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	body := map[string]string{"email": adminEmail, "password": adminPassword}
	for name, h := range map[string]map[string]string{
		"foreign origin": {"Origin": "https://evil.example"},
		"null origin":    {"Origin": "null"},
		"fetch metadata": {"Sec-Fetch-Site": "cross-site"},
	} {
		if status, out := send(t, e, "POST", "/api/v1/auth/login", h, body); status != 403 || errorCode(out) != "CROSS_SITE_REQUEST" {
			t.Errorf("%s: %d %s", name, status, out)
		}
	}
	same := map[string]string{"Origin": e.srv.URL, "Sec-Fetch-Site": "same-origin"}
	if status, out := send(t, e, "POST", "/api/v1/auth/login", same, body); status != 200 {
		t.Errorf("same origin: %d %s", status, out)
	}
	// Reads are not affected.
	if status, _ := send(t, e, "GET", "/healthz", map[string]string{"Origin": "https://evil.example"}, nil); status != 200 {
		t.Errorf("cross-site read: %d", status)
	}
}

// TestSecurityHeadersOnRouterAnswers checks the answers no route handles:
// the router's own 404 and 405, and a body refused before routing (413).
func TestSecurityHeadersOnRouterAnswers(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	for _, c := range []struct {
		method, path string
		body         string
		status       int
	}{
		{"GET", "/no/such/route", "", 404},
		{"GET", "/api/v1/nothing-here", "", 404},
		{"PATCH", "/api/v1/projects", "", 405},
		{"POST", "/api/v1/projects", strings.Repeat("x", 2<<20), 413},
	} {
		req := httptest.NewRequest(c.method, e.srv.URL+c.path, strings.NewReader(c.body))
		req.RequestURI = ""
		resp, err := e.srv.Client().Do(req)
		must(t, err)
		resp.Body.Close()
		h := resp.Header
		if resp.StatusCode != c.status {
			t.Errorf("%s %s: status %d, want %d", c.method, c.path, resp.StatusCode, c.status)
		}
		if h.Get("X-Content-Type-Options") != "nosniff" || h.Get("X-Frame-Options") != "DENY" ||
			!strings.Contains(h.Get("Content-Security-Policy"), "default-src 'none'") || h.Get("Referrer-Policy") != "no-referrer" {
			t.Errorf("%s %s (%d): security headers missing: %v", c.method, c.path, resp.StatusCode, h)
		}
		if ct := h.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("%s %s: Content-Type %q", c.method, c.path, ct)
		}
	}
}

package web_test

import (
	"context"
	"crypto/tls"
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"

	"github.com/usecapsule/capsule/internal/web"
)

// cookieHeader is the Cookie header a signed-in browser sends.
func cookieHeader(t *testing.T, c *http.Client) string {
	t.Helper()
	u, _ := url.Parse(base)
	var parts []string
	for _, ck := range c.Jar.Cookies(u) {
		parts = append(parts, ck.Name+"="+ck.Value)
	}
	return strings.Join(parts, "; ")
}

func dialEvents(t *testing.T, cookie, origin string) (*websocket.Conn, *http.Response, error) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	t.Cleanup(cancel)
	h := http.Header{}
	if cookie != "" {
		h.Set("Cookie", cookie)
	}
	if origin != "" {
		h.Set("Origin", origin)
	}
	return websocket.Dial(ctx, "ws"+strings.TrimPrefix(base, "http")+"/events?type=deployment.started", &websocket.DialOptions{HTTPHeader: h, Subprotocols: []string{"capsule.events.v1"}})
}

func TestEventsStreamIsCookieAuthenticatedSameOrigin(t *testing.T) {
	t.Parallel()
	shared(t)
	c := browser(t)
	signIn(t, c, ownerEmail, ownerPW)
	cookie := cookieHeader(t, c)
	conn, res, err := dialEvents(t, cookie, base)
	if err != nil {
		t.Fatalf("same-origin events stream: %v", err)
	}
	if res.StatusCode != http.StatusSwitchingProtocols || conn.Subprotocol() != "capsule.events.v1" {
		t.Errorf("events stream: %d %q", res.StatusCode, conn.Subprotocol())
	}
	conn.Close(websocket.StatusNormalClosure, "")

	for name, tc := range map[string]struct {
		cookie, origin string
		status         int
	}{
		"another site":  {cookie, "https://evil.example", http.StatusForbidden},
		"no session":    {"", base, http.StatusUnauthorized},
		"forged cookie": {"capsule_session=AAAA", base, http.StatusUnauthorized},
	} {
		_, res, err := dialEvents(t, tc.cookie, tc.origin)
		if err == nil || res == nil || res.StatusCode != tc.status {
			code := 0
			if res != nil {
				code = res.StatusCode
			}
			t.Errorf("%s: status %d (%v), want %d", name, code, err, tc.status)
		}
	}
}

func TestSessionCookieSecureOverTLS(t *testing.T) {
	t.Parallel()
	shared(t)
	u, _ := url.Parse(base)
	h, err := web.New(web.Config{API: httputil.NewSingleHostReverseProxy(u), Key: []byte(jwtKey)})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewTLSServer(h)
	t.Cleanup(srv.Close)
	c := browser(t)
	c.Transport = &http.Transport{TLSClientConfig: &tls.Config{InsecureSkipVerify: true}} // the test server's own certificate
	res, err := c.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(res)
	if res.Header.Get("Strict-Transport-Security") == "" {
		t.Error("no HSTS over TLS")
	}
	res, err = c.PostForm(srv.URL+"/login", url.Values{"email": {ownerEmail}, "password": {ownerPW}, "csrf_token": {csrfOf(t, body)}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(res)
	var seen bool
	for _, ck := range res.Cookies() {
		if ck.Name == "capsule_session" {
			seen = true
			if !ck.Secure || !ck.HttpOnly {
				t.Errorf("session cookie over TLS: Secure=%v HttpOnly=%v", ck.Secure, ck.HttpOnly)
			}
		}
	}
	if !seen {
		t.Errorf("no session cookie (status %d)", res.StatusCode)
	}
}

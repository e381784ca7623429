package web_test

import (
	"net/http"
	"net/http/httptest"
	"net/http/httputil"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/web"
)

// clockedUI is a second UI over the shared server's API (through a
// reverse proxy) with a clock the test moves, so an access token can be
// made to look expired without waiting for it.
func clockedUI(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	u, _ := url.Parse(base)
	var skew atomic.Int64
	h, err := web.New(web.Config{API: httputil.NewSingleHostReverseProxy(u), Key: []byte(jwtKey),
		Now: func() time.Time { return time.Now().Add(time.Duration(skew.Load())) }})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv, &skew
}

// uiSignIn signs a fresh client in on srv and returns it.
func uiSignIn(t *testing.T, srv *httptest.Server) *http.Client {
	t.Helper()
	c := browser(t)
	res, err := c.Get(srv.URL + "/login")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(res)
	res, err = c.PostForm(srv.URL+"/login", url.Values{"email": {ownerEmail}, "password": {ownerPW}, "csrf_token": {csrfOf(t, body)}})
	if err != nil {
		t.Fatal(err)
	}
	res.Body.Close()
	if res.StatusCode != http.StatusSeeOther {
		t.Fatalf("sign-in: %d", res.StatusCode)
	}
	return c
}

func TestExpiredAccessTokenIsRefreshedOnce(t *testing.T) {
	t.Parallel()
	shared(t)
	srv, skew := clockedUI(t)
	c := uiSignIn(t, srv)
	u, _ := url.Parse(srv.URL)
	old := c.Jar.Cookies(u)
	skew.Store(int64(16 * time.Minute)) // past the access token's 15 minutes
	// Pages a browser loads together share one refresh: the API revokes a
	// whole sign-in when a refresh token is used twice.
	var wg sync.WaitGroup
	var fresh []*http.Cookie
	var mu sync.Mutex
	for range 5 {
		wg.Go(func() {
			b := browser(t)
			b.Jar.SetCookies(u, old)
			res, err := b.Get(srv.URL + "/projects")
			if err != nil {
				t.Error(err)
				return
			}
			readAll(res)
			if res.StatusCode != http.StatusOK {
				t.Errorf("page with an expired access token: %d %s", res.StatusCode, res.Header.Get("Location"))
				return
			}
			mu.Lock()
			fresh = b.Jar.Cookies(u)
			mu.Unlock()
		})
	}
	wg.Wait()
	if t.Failed() {
		return
	}
	// The renewed session keeps working (no theft was detected).
	skew.Store(int64(17 * time.Minute))
	b := browser(t)
	b.Jar.SetCookies(u, fresh)
	res, err := b.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	if readAll(res); res.StatusCode != http.StatusOK {
		t.Errorf("renewed session: %d %s", res.StatusCode, res.Header.Get("Location"))
	}
}

func TestFailedRefreshSendsToSignIn(t *testing.T) {
	t.Parallel()
	shared(t)
	srv, skew := clockedUI(t)
	c := uiSignIn(t, srv)
	u, _ := url.Parse(srv.URL)
	cookies := c.Jar.Cookies(u)
	res, err := c.Get(srv.URL + "/")
	if err != nil {
		t.Fatal(err)
	}
	body := readAll(res)
	// Signing out elsewhere revokes the refresh token.
	res, err = c.PostForm(srv.URL+"/logout", url.Values{"csrf_token": {csrfOf(t, body)}})
	if err != nil {
		t.Fatal(err)
	}
	readAll(res)
	skew.Store(int64(16 * time.Minute))
	b := browser(t)
	b.Jar.SetCookies(u, cookies)
	res, err = b.Get(srv.URL + "/projects?q=1")
	if err != nil {
		t.Fatal(err)
	}
	readAll(res)
	if loc := res.Header.Get("Location"); res.StatusCode != http.StatusSeeOther || loc != "/login?next="+url.QueryEscape("/projects?q=1") {
		t.Errorf("failed refresh: %d to %q", res.StatusCode, loc)
	}
}

func readAll(res *http.Response) string {
	defer res.Body.Close()
	var sb strings.Builder
	buf := make([]byte, 32<<10)
	for {
		n, err := res.Body.Read(buf)
		sb.Write(buf[:n])
		if err != nil {
			return sb.String()
		}
	}
}

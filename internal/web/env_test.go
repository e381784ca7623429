package web_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"net/http/cookiejar"
	"net/url"
	"os"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/server"
)

// The package's tests share one real control plane (API and UI) on
// 127.0.0.1 over the embedded SQLite, started by TestMain.
const (
	ownerEmail = "owner@example.com"
	ownerPW    = "correct horse battery staple 42"
	jwtKey     = "web-test-signing-key-0123456789abcdef"
)

var base string // http://127.0.0.1:port

func TestMain(m *testing.M) {
	code := run(m)
	os.Exit(code)
}

func run(m *testing.M) int {
	dir, err := os.MkdirTemp("", "capsule-web-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	ctx, cancel := context.WithCancel(context.Background())
	env := map[string]string{"CAPSULE_ADMIN_PASSWORD": ownerPW, "CAPSULE_JWT_KEY": jwtKey}
	addrc := make(chan string, 1)
	done := make(chan error, 1)
	o := server.Options{DataDir: dir, Listen: "127.0.0.1:0", AdminEmail: ownerEmail, Stderr: io.Discard,
		Logger:   slog.New(slog.NewTextHandler(io.Discard, nil)),
		Getenv:   func(k string) string { return env[k] },
		OnListen: func(a string) { addrc <- a },
		// Generous limits: the tests sign in many times from one address.
		UserRateLimit: 100000, IPRateLimit: 100000,
		// The single sign-on test's identity provider runs on loopback.
		EgressAllow: "127.0.0.0/8"}
	go func() { done <- server.Run(ctx, o) }()
	select {
	case a := <-addrc:
		base = "http://" + a
	case err := <-done:
		fmt.Fprintln(os.Stderr, "server did not start:", err)
		cancel()
		return 1
	case <-time.After(60 * time.Second):
		fmt.Fprintln(os.Stderr, "server did not start in 60s")
		cancel()
		return 1
	}
	code := m.Run()
	stopBrowser()
	cancel()
	if err := <-done; err != nil {
		fmt.Fprintln(os.Stderr, "server:", err)
		return 1
	}
	return code
}

// apiCall calls the API with a bearer token and decodes the answer.
func apiCall(t testing.TB, token, method, path string, body, out any) int {
	t.Helper()
	var rd io.Reader
	if body != nil {
		b, _ := json.Marshal(body)
		rd = bytes.NewReader(b)
	}
	req, _ := http.NewRequest(method, base+path, rd)
	req.Header.Set("Content-Type", "application/json")
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	if out != nil && res.StatusCode < 300 {
		if err := json.Unmarshal(b, out); err != nil {
			t.Fatalf("%s %s: %v in %s", method, path, err, b)
		}
	}
	return res.StatusCode
}

// mustAPI is apiCall that fails the test on an error status.
func mustAPI(t testing.TB, token, method, path string, body, out any) {
	t.Helper()
	if st := apiCall(t, token, method, path, body, out); st >= 300 {
		t.Fatalf("%s %s: status %d", method, path, st)
	}
}

func apiLogin(t testing.TB, email, pw string) string {
	t.Helper()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	mustAPI(t, "", "POST", "/api/v1/auth/login", map[string]string{"email": email, "password": pw}, &tr)
	return tr.AccessToken
}

// fixture is a project with an environment and a service, made through the API.
type fixture struct {
	token, org, project, env, service string
}

var (
	fixOnce sync.Once
	fix     fixture
	viewer  = struct{ email, pw string }{"viewer@example.com", "viewer password that is long 7"}
)

func shared(t testing.TB) fixture {
	t.Helper()
	fixOnce.Do(func() {
		fix.token = apiLogin(t, ownerEmail, ownerPW)
		var me struct {
			Memberships []struct {
				OrganizationID string `json:"organizationId"`
			} `json:"memberships"`
		}
		mustAPI(t, fix.token, "GET", "/api/v1/auth/me", nil, &me)
		fix.org = me.Memberships[0].OrganizationID
		var p, e, s struct {
			ID string `json:"id"`
		}
		mustAPI(t, fix.token, "POST", "/api/v1/projects", map[string]any{"name": "Shop", "slug": "shop", "organizationId": fix.org}, &p)
		mustAPI(t, fix.token, "POST", "/api/v1/environments", map[string]any{"projectId": p.ID, "name": "dev", "kind": "development", "namespace": "shop-dev"}, &e)
		mustAPI(t, fix.token, "POST", "/api/v1/services", map[string]any{"projectId": p.ID, "name": "web", "type": "web", "source": map[string]any{"image": "nginx:1.27"}}, &s)
		fix.project, fix.env, fix.service = p.ID, e.ID, s.ID
		mustAPI(t, fix.token, "POST", "/api/v1/organizations/"+fix.org+"/users", map[string]any{"email": viewer.email, "name": "Vera Viewer", "role": "viewer", "password": viewer.pw}, nil)
	})
	if fix.service == "" {
		t.Fatal("fixture setup failed")
	}
	return fix
}

// browser is an HTTP client with a cookie jar that does not follow
// redirects, so tests see each answer.
func browser(t testing.TB) *http.Client {
	t.Helper()
	jar, _ := cookiejar.New(nil)
	return &http.Client{Jar: jar, CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
}

var csrfRE = regexp.MustCompile(`name="csrf_token" value="([^"]+)"`)

// get fetches a page and returns its answer and body.
func get(t testing.TB, c *http.Client, path string) (*http.Response, string) {
	t.Helper()
	res, err := c.Get(base + path)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// post sends a form.
func post(t testing.TB, c *http.Client, path string, form url.Values) (*http.Response, string) {
	t.Helper()
	res, err := c.PostForm(base+path, form)
	if err != nil {
		t.Fatal(err)
	}
	defer res.Body.Close()
	b, _ := io.ReadAll(res.Body)
	return res, string(b)
}

// csrfOf is the CSRF token of a page's forms.
func csrfOf(t testing.TB, body string) string {
	t.Helper()
	m := csrfRE.FindStringSubmatch(body)
	if m == nil {
		t.Fatalf("no csrf_token in page:\n%.2000s", body)
	}
	return m[1]
}

// signIn signs c in through the login form.
func signIn(t testing.TB, c *http.Client, email, pw string) {
	t.Helper()
	_, body := get(t, c, "/login")
	res, body := post(t, c, "/login", url.Values{"email": {email}, "password": {pw}, "csrf_token": {csrfOf(t, body)}, "next": {"/"}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/" {
		t.Fatalf("sign-in: %d %s\n%.1500s", res.StatusCode, res.Header.Get("Location"), body)
	}
}

func contains(t testing.TB, body string, want ...string) {
	t.Helper()
	for _, w := range want {
		if !strings.Contains(body, w) {
			t.Errorf("page lacks %q", w)
		}
	}
}

var anchorLinkRE = regexp.MustCompile(`href="#([^"]*)"`)

var newKeyRE = regexp.MustCompile(`<code id="new-key">(cap_[^<]+)</code>`)

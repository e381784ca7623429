package httpapi_test

import (
	"bytes"
	"context"
	"database/sql"
	"encoding/json"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/identitystore"
	"io"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/password"
	"github.com/usecapsule/capsule/internal/identity/token"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// fastHash keeps test logins quick; the format is the production one.
var fastHash = password.Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

const adminEmail, adminPassword = "admin@example.com", "correct horse battery"

// env is a real API over a real store behind a real HTTP server on 127.0.0.1.
type env struct {
	st     *sqlstore.Store
	ids    *identitystore.Store // the identity store the API was given
	api    *httpapi.API
	srv    *httptest.Server
	logs   *syncBuffer
	token  string // the admin's access token
	userID string
	orgID  string // the admin's "default" organization
	vars   map[string]string
}

// syncBuffer collects logs written from handler goroutines.
type syncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (s *syncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

func (s *syncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// One PostgreSQL server serves every test of the package.
func TestMain(m *testing.M) { pgtest.Main(m) }

// backends are the databases every API test runs against: each returns the
// DSN of a fresh, empty database.
var backends = []struct {
	name string
	dsn  func(testing.TB) string
}{
	{"sqlite", sqliteDSN},
	{"postgres", pgtest.Start},
}

func sqliteDSN(t testing.TB) string { return filepath.Join(t.TempDir(), "capsule.db") }

// forEachStore runs f once per database.
func forEachStore(t *testing.T, f func(t *testing.T, dsn string)) {
	for _, b := range backends {
		t.Run(b.name, func(t *testing.T) { f(t, b.dsn(t)) })
	}
}

// newEnv opens the store at dsn, creates the admin user with its default
// organization, starts the API and signs in.
func newEnv(t testing.TB, dsn string, mutate ...func(*httpapi.Config)) *env {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, dsn, sqlstore.Options{})
	if err != nil {
		t.Fatalf("opening store: %v", err)
	}
	t.Cleanup(func() { st.Close() })
	e := &env{st: st, ids: identitystore.New(st), logs: &syncBuffer{}, vars: map[string]string{}}
	e.userID, e.orgID = createUser(t, st, adminEmail, "default")
	cfg := httpapi.Config{Store: st, Tokens: token.NewIssuer([]byte(strings.Repeat("k", 32)), token.DefaultTTL),
		Logger: slog.New(slog.NewJSONHandler(e.logs, nil)), AccessLog: true, Access: httpapi.AccessConfig{Identity: e.ids},
		// Deploys are recorded and queued; no runner takes the jobs here.
		Deployer: deployer.New(deployer.Config{Store: st, Secrets: e.ids}),
		// As in the server: the read cache only over SQLite, the single-writer database.
		Cache: !strings.HasPrefix(dsn, "postgres")}
	for _, m := range mutate {
		m(&cfg)
	}
	e.api, err = httpapi.New(cfg)
	if err != nil {
		t.Fatal(err)
	}
	e.srv = httptest.NewServer(e.api)
	t.Cleanup(e.srv.Close)
	t.Cleanup(func() {
		if t.Failed() {
			t.Logf("server log:\n%s", e.logs.String())
		}
	})
	e.token = e.login(t, adminEmail, adminPassword).AccessToken
	e.vars["defaultOrg"] = e.orgID
	return e
}

// createUser stores a user (password adminPassword) owning a new
// organization with the given slug.
func createUser(t testing.TB, st capsule.Store, email, orgSlug string) (userID, orgID string) {
	t.Helper()
	ctx := context.Background()
	h, err := password.HashWith(adminPassword, fastHash)
	if err != nil {
		t.Fatal(err)
	}
	u := &capsule.User{Email: email, Name: "Test User", PasswordHash: h}
	if err := st.CreateUser(ctx, u); err != nil {
		t.Fatalf("creating user: %v", err)
	}
	o := &capsule.Organization{Name: orgSlug, Slug: orgSlug}
	if err := o.Validate(); err != nil {
		t.Fatal(err)
	}
	if err := st.CreateOrganization(ctx, o, u.ID); err != nil {
		t.Fatalf("creating organization: %v", err)
	}
	return u.ID, o.ID
}

func (e *env) login(t testing.TB, email, pw string) httpapi.TokenResponse {
	t.Helper()
	r := e.do(t, call{method: "POST", path: "/api/v1/auth/login", body: map[string]string{"email": email, "password": pw}, token: "-"})
	if r.status != 200 {
		t.Fatalf("login: %d %s", r.status, r.raw)
	}
	var tr httpapi.TokenResponse
	if err := json.Unmarshal(r.raw, &tr); err != nil {
		t.Fatal(err)
	}
	return tr
}

// call is one request of a table test. Path and a string body may name
// saved variables as {name}.
type call struct {
	name   string
	method string
	path   string
	body   any               // string: sent as is; otherwise JSON-encoded
	token  string            // "" is the admin's, "-" none
	header map[string]string // extra request headers
	status int
	code   string // the expected error code
	save   string // stores the response's "id" under this name
	check  func(t *testing.T, r *result)
}

// result is a response, decoded.
type result struct {
	status int
	header http.Header
	raw    []byte
	json   map[string]any
}

// items returns the "items" of a list response.
func (r *result) items() []any {
	items, _ := r.json["items"].([]any)
	return items
}

// errField returns the names in error.details.fields.
func (r *result) errFields() []string {
	var names []string
	e, _ := r.json["error"].(map[string]any)
	d, _ := e["details"].(map[string]any)
	fs, _ := d["fields"].([]any)
	for _, f := range fs {
		names = append(names, f.(map[string]any)["field"].(string))
	}
	return names
}

func (e *env) expand(s string) string {
	for k, v := range e.vars {
		s = strings.ReplaceAll(s, "{"+k+"}", v)
	}
	return s
}

// do sends one request and decodes the answer.
func (e *env) do(t testing.TB, c call) *result {
	t.Helper()
	var body io.Reader
	switch b := c.body.(type) {
	case nil:
	case string:
		body = strings.NewReader(e.expand(b))
	default:
		raw, err := json.Marshal(b)
		if err != nil {
			t.Fatal(err)
		}
		body = strings.NewReader(e.expand(string(raw)))
	}
	req, err := http.NewRequest(c.method, e.srv.URL+e.expand(c.path), body)
	if err != nil {
		t.Fatal(err)
	}
	switch c.token {
	case "":
		req.Header.Set("Authorization", "Bearer "+e.token)
	case "-":
	default:
		req.Header.Set("Authorization", "Bearer "+c.token)
	}
	for k, v := range c.header {
		req.Header.Set(k, e.expand(v))
	}
	resp, err := e.srv.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	r := &result{status: resp.StatusCode, header: resp.Header}
	r.raw, _ = io.ReadAll(resp.Body)
	// Every answer is a JSON object but the cost anomalies, a bare array in
	// the plan's shape: an array is checked for being JSON, and r.json stays
	// empty.
	if len(r.raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") && r.raw[0] == '[' {
		if !json.Valid(r.raw) {
			t.Fatalf("%s %s: response is not JSON: %s", c.method, c.path, r.raw)
		}
	} else if len(r.raw) > 0 && strings.HasPrefix(resp.Header.Get("Content-Type"), "application/json") {
		if err := json.Unmarshal(r.raw, &r.json); err != nil {
			t.Fatalf("%s %s: response is not a JSON object: %v: %s", c.method, c.path, err, r.raw)
		}
	}
	return r
}

// run executes the calls in order as subtests, checking status and code.
func (e *env) run(t *testing.T, calls []call) {
	t.Helper()
	for _, c := range calls {
		name := c.name
		if name == "" {
			name = c.method + " " + c.path
		}
		ok := t.Run(name, func(t *testing.T) {
			r := e.do(t, c)
			if r.status != c.status {
				t.Fatalf("%s %s: status %d, want %d: %s", c.method, e.expand(c.path), r.status, c.status, r.raw)
			}
			if c.code != "" {
				errObj, _ := r.json["error"].(map[string]any)
				if got, _ := errObj["code"].(string); got != c.code {
					t.Fatalf("error code %q, want %q: %s", got, c.code, r.raw)
				}
			}
			if r.status >= 400 {
				checkErrorShape(t, r)
			}
			if c.save != "" {
				id, _ := r.json["id"].(string)
				if id == "" {
					t.Fatalf("no id to save in %s", r.raw)
				}
				e.vars[c.save] = id
			}
			if c.check != nil {
				c.check(t, r)
			}
		})
		if !ok && c.save != "" {
			t.FailNow() // later calls depend on the saved ID
		}
	}
}

// checkErrorShape asserts {"error":{"code","message","details"}}.
func checkErrorShape(t *testing.T, r *result) {
	t.Helper()
	e, ok := r.json["error"].(map[string]any)
	if !ok || len(r.json) != 1 {
		t.Fatalf("error body is not {\"error\":{...}}: %s", r.raw)
	}
	if _, ok := e["code"].(string); !ok {
		t.Fatalf("error without code: %s", r.raw)
	}
	if _, ok := e["message"].(string); !ok {
		t.Fatalf("error without message: %s", r.raw)
	}
	if _, ok := e["details"].(map[string]any); !ok {
		t.Fatalf("error without details object: %s", r.raw)
	}
}

// withPoolStats wires the store's pool figures into the metrics, as the
// server does.
func withPoolStats(c *httpapi.Config) {
	st := c.Store.(*sqlstore.Store)
	c.PoolStats = func() map[string]sql.DBStats {
		m := map[string]sql.DBStats{}
		for _, p := range st.Stats() {
			m[p.Pool] = p.DBStats
		}
		return m
	}
}

package gitdelivery

import (
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/cgi"
	"net/http/httptest"
	"net/netip"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/egress"
)

const (
	testToken   = "ghs_s3cr3tT0kenValue"
	httpBackend = "/usr/lib/git-core/git-http-backend"
)

// forge is one loopback server holding bare repositories served by git
// http-backend over the smart HTTP protocol (basic auth checked) and a
// GitHub REST API for their pull requests, speaking GitHub's wire format.
type forge struct {
	t    *testing.T
	root string
	srv  *httptest.Server
	user string // the basic-auth user name Git must send

	mu       sync.Mutex
	pulls    map[int]*ghPull
	comments map[int64]*ghComment
	nextID   int64
	requests []string // "METHOD path" of every API request

	// limitWindow, when set, makes the API answer 429 (odd requests) or
	// 403 with X-RateLimit-Remaining: 0 (even ones) for that long from
	// the first API request (limitedUntil).
	limitWindow  time.Duration
	limitedUntil atomic.Int64
	limited      atomic.Int64 // how many requests were refused
	denyAPI      atomic.Bool  // answer every API request 401
	inFlight     atomic.Int64
	maxInFlight  atomic.Int64
}

type ghPull struct {
	Number  int    `json:"number"`
	State   string `json:"state"`
	Title   string `json:"title"`
	Body    string `json:"body"`
	HTMLURL string `json:"html_url"`
	Merged  bool   `json:"merged"`
	Head    struct {
		Ref string `json:"ref"`
	} `json:"head"`
	Base struct {
		Ref string `json:"ref"`
	} `json:"base"`
}

type ghComment struct {
	ID    int64  `json:"id"`
	Issue int    `json:"-"`
	Body  string `json:"body"`
}

func newForge(t *testing.T, user string) *forge {
	t.Helper()
	if _, err := os.Stat(httpBackend); err != nil {
		t.Fatalf("git http-backend is needed for these tests: %v", err)
	}
	f := &forge{t: t, root: t.TempDir(), user: user, pulls: map[int]*ghPull{}, comments: map[int64]*ghComment{}}
	backend := &cgi.Handler{Path: httpBackend, Env: []string{"GIT_PROJECT_ROOT=" + f.root, "GIT_HTTP_EXPORT_ALL=1"}}
	mux := http.NewServeMux()
	mux.Handle("/api/v3/", http.HandlerFunc(f.api))
	mux.Handle("/", http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		u, p, ok := r.BasicAuth()
		if !ok || u != f.user || p != testToken {
			w.Header().Set("WWW-Authenticate", `Basic realm="git"`)
			http.Error(w, "authentication required", http.StatusUnauthorized)
			return
		}
		r.Header.Del("Authorization")
		backend.ServeHTTP(w, r)
	}))
	f.srv = httptest.NewServer(mux)
	t.Cleanup(f.srv.Close)
	return f
}

// deliverer is a Deliverer whose client is the guarded egress client,
// allowed to reach this loopback server.
func (f *forge) deliverer(t *testing.T, cfg Config) *Deliverer {
	t.Helper()
	cfg.Client = egress.New(egress.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}, MaxBodyBytes: 256 << 20})
	if cfg.Now == nil {
		cfg.Now = func() time.Time { return time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC) }
	}
	if cfg.AuthorName == "" {
		cfg.AuthorName, cfg.AuthorEmail = "Capsule Bot", "bot@capsule.test"
	}
	return New(cfg)
}

// newRepo creates a bare repository acme/<name>.git whose main branch has
// files, and returns its URL.
func (f *forge) newRepo(t *testing.T, name string, files map[string]string) string {
	t.Helper()
	bare := f.bare(name)
	gitCLI(t, "", "init", "-q", "--bare", "-b", "main", bare)
	gitCLI(t, bare, "config", "http.receivepack", "true")
	work := t.TempDir()
	gitCLI(t, "", "clone", "-q", bare, work)
	writeFiles(t, work, files)
	gitCLI(t, work, "add", "-A")
	gitCLI(t, work, "commit", "-q", "-m", "initial")
	gitCLI(t, work, "push", "-q", "origin", "HEAD:main")
	return f.srv.URL + "/acme/" + name + ".git"
}

func (f *forge) bare(name string) string { return filepath.Join(f.root, "acme", name+".git") }

// commitAs makes a person's commit on branch of the bare repository.
func (f *forge) commitAs(t *testing.T, name, branch string, files map[string]string) string {
	t.Helper()
	work := t.TempDir()
	gitCLI(t, "", "clone", "-q", "-b", branch, f.bare(name), work)
	writeFiles(t, work, files)
	gitCLI(t, work, "add", "-A")
	gitCLI(t, work, "commit", "-q", "-m", "hand edit")
	gitCLI(t, work, "push", "-q", "origin", "HEAD:"+branch)
	return strings.TrimSpace(gitCLI(t, work, "rev-parse", "HEAD"))
}

func writeFiles(t *testing.T, dir string, files map[string]string) {
	t.Helper()
	for p, body := range files {
		full := filepath.Join(dir, p)
		if body == "" {
			if err := os.Remove(full); err != nil {
				t.Fatal(err)
			}
			continue
		}
		if err := os.MkdirAll(filepath.Dir(full), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(full, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

// gitCLI runs the git CLI with a fixed identity and no user configuration.
func gitCLI(t *testing.T, dir string, args ...string) string {
	t.Helper()
	cmd := exec.Command("git", args...)
	cmd.Dir = dir
	cmd.Env = append(os.Environ(), "GIT_CONFIG_NOSYSTEM=1", "GIT_CONFIG_GLOBAL=/dev/null", "HOME="+os.TempDir(),
		"GIT_AUTHOR_NAME=Pat Person", "GIT_AUTHOR_EMAIL=pat@example.com",
		"GIT_COMMITTER_NAME=Pat Person", "GIT_COMMITTER_EMAIL=pat@example.com")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("git %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// api answers GitHub's REST API for pull requests and issue comments.
func (f *forge) api(w http.ResponseWriter, r *http.Request) {
	n := f.inFlight.Add(1)
	defer f.inFlight.Add(-1)
	for {
		m := f.maxInFlight.Load()
		if n <= m || f.maxInFlight.CompareAndSwap(m, n) {
			break
		}
	}
	time.Sleep(2 * time.Millisecond) // let concurrent requests overlap if the client allows it
	if r.Header.Get("Authorization") != "Bearer "+testToken || f.denyAPI.Load() {
		http.Error(w, `{"message":"Bad credentials"}`, http.StatusUnauthorized)
		return
	}
	if f.limitWindow > 0 {
		f.limitedUntil.CompareAndSwap(0, time.Now().Add(f.limitWindow).UnixNano())
	}
	if until := f.limitedUntil.Load(); time.Now().UnixNano() < until {
		k := f.limited.Add(1)
		reset := strconv.FormatInt(time.Unix(0, until).Add(time.Second).Unix(), 10)
		if k%2 == 0 {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", reset)
			http.Error(w, `{"message":"API rate limit exceeded"}`, http.StatusForbidden)
			return
		}
		w.Header().Set("Retry-After", "1")
		http.Error(w, `{"message":"secondary rate limit"}`, http.StatusTooManyRequests)
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	f.requests = append(f.requests, r.Method+" "+r.URL.Path)
	path := strings.TrimPrefix(r.URL.Path, "/api/v3/repos/")
	parts := strings.Split(path, "/") // owner, repo, kind, ...
	if len(parts) < 3 {
		http.NotFound(w, r)
		return
	}
	owner, repo := parts[0], parts[1]
	rest := parts[2:]
	switch {
	case r.Method == http.MethodGet && len(rest) == 1 && rest[0] == "pulls":
		var out []*ghPull
		head := strings.TrimPrefix(r.URL.Query().Get("head"), owner+":")
		for _, p := range f.pulls {
			if p.State == r.URL.Query().Get("state") && p.Head.Ref == head && p.Base.Ref == r.URL.Query().Get("base") {
				out = append(out, p)
			}
		}
		writeJSON(w, http.StatusOK, out)
	case r.Method == http.MethodPost && len(rest) == 1 && rest[0] == "pulls":
		var in struct{ Title, Head, Base, Body string }
		if json.NewDecoder(r.Body).Decode(&in) != nil {
			http.Error(w, "bad json", http.StatusBadRequest)
			return
		}
		for _, p := range f.pulls {
			if p.State == "open" && p.Head.Ref == in.Head {
				writeJSON(w, http.StatusUnprocessableEntity, map[string]string{"message": "A pull request already exists"})
				return
			}
		}
		p := &ghPull{Number: len(f.pulls) + 1, State: "open", Title: in.Title, Body: in.Body}
		p.Head.Ref, p.Base.Ref = in.Head, in.Base
		p.HTMLURL = fmt.Sprintf("%s/%s/%s/pull/%d", f.srv.URL, owner, repo, p.Number)
		f.pulls[p.Number] = p
		writeJSON(w, http.StatusCreated, p)
	case len(rest) == 2 && rest[0] == "pulls":
		num, _ := strconv.Atoi(rest[1])
		p, ok := f.pulls[num]
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		if r.Method == http.MethodPatch {
			var in struct{ Title, Body *string }
			_ = json.NewDecoder(r.Body).Decode(&in)
			if in.Title != nil {
				p.Title = *in.Title
			}
			if in.Body != nil {
				p.Body = *in.Body
			}
		}
		writeJSON(w, http.StatusOK, p)
	case len(rest) == 3 && rest[0] == "issues" && rest[2] == "comments":
		num, _ := strconv.Atoi(rest[1])
		if r.Method == http.MethodGet {
			out := []*ghComment{}
			for id := int64(1); id <= f.nextID; id++ {
				if c, ok := f.comments[id]; ok && c.Issue == num {
					out = append(out, c)
				}
			}
			writeJSON(w, http.StatusOK, out)
			return
		}
		var in struct{ Body string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		f.nextID++
		c := &ghComment{ID: f.nextID, Issue: num, Body: in.Body}
		f.comments[c.ID] = c
		writeJSON(w, http.StatusCreated, c)
	case len(rest) == 3 && rest[0] == "issues" && rest[1] == "comments" && r.Method == http.MethodPatch:
		id, _ := strconv.ParseInt(rest[2], 10, 64)
		c, ok := f.comments[id]
		if !ok {
			writeJSON(w, http.StatusNotFound, map[string]string{"message": "Not Found"})
			return
		}
		var in struct{ Body string }
		_ = json.NewDecoder(r.Body).Decode(&in)
		c.Body = in.Body
		writeJSON(w, http.StatusOK, c)
	default:
		http.NotFound(w, r)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

// commentsOn returns the bodies of the comments on pull request n.
func (f *forge) commentsOn(n int) []string {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []string
	for id := int64(1); id <= f.nextID; id++ {
		if c, ok := f.comments[id]; ok && c.Issue == n {
			out = append(out, c.Body)
		}
	}
	return out
}

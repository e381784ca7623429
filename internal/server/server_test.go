package server

import (
	"bufio"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/pgtest"
)

const testPassword = "a test password 123"

// started is a control plane started through Run on a free port.
type started struct {
	addr   string
	cancel context.CancelFunc
	done   chan error
	stderr *lockedBuffer
}

type lockedBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.b.String()
}

// start runs the server with dataDir and env until the test ends.
func start(t *testing.T, dataDir string, env map[string]string) *started {
	t.Helper()
	return startWith(t, Options{DataDir: dataDir}, env)
}

// startWith runs the server with o (on a free port) until the test ends.
func startWith(t *testing.T, o Options, env map[string]string) *started {
	t.Helper()
	ctx, cancel := context.WithCancel(context.Background())
	s := &started{cancel: cancel, done: make(chan error, 1), stderr: &lockedBuffer{}}
	addrc := make(chan string, 1)
	o.Listen, o.AdminEmail, o.Stderr = "127.0.0.1:0", "owner@example.com", s.stderr
	if o.Logger == nil {
		o.Logger = slog.New(slog.NewJSONHandler(io.Discard, nil))
	}
	o.Getenv = func(k string) string { return env[k] }
	o.OnListen = func(a string) { addrc <- a }
	go func() { s.done <- Run(ctx, o) }()
	select {
	case s.addr = <-addrc:
	case err := <-s.done:
		t.Fatalf("server did not start: %v", err)
	case <-time.After(30 * time.Second):
		t.Fatal("server did not start in 30s")
	}
	t.Cleanup(func() { s.stop(t) })
	return s
}

func (s *started) stop(t *testing.T) {
	s.cancel()
	select {
	case err := <-s.done:
		if err != nil {
			t.Errorf("Run returned %v", err)
		}
		s.done <- nil
	case <-time.After(30 * time.Second):
		t.Error("server did not stop in 30s")
	}
}

// login signs in and returns the access token.
func login(t *testing.T, addr, email, pw string) string {
	t.Helper()
	body := fmt.Sprintf(`{"email":%q,"password":%q}`, email, pw)
	resp, err := http.Post("http://"+addr+"/api/v1/auth/login", "application/json", strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := json.NewDecoder(resp.Body).Decode(&tr); err != nil || resp.StatusCode != 200 {
		t.Fatalf("login: %d %v", resp.StatusCode, err)
	}
	return tr.AccessToken
}

// TestFirstStartBootstrap: the first start creates the owner with a
// generated password printed once; a restart keeps the account and the JWT
// key and prints nothing.
func TestFirstStartBootstrap(t *testing.T) {
	dir := t.TempDir()
	s := start(t, dir, nil)
	m := regexp.MustCompile(`generated password \(shown only once\): (\S+)`).FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("no generated password on stderr: %q", s.stderr.String())
	}
	tok := login(t, s.addr, "owner@example.com", m[1])
	s.stop(t)
	fi, err := os.Stat(filepath.Join(dir, "jwt.key"))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("jwt.key: %v mode %v, want 0600", err, fi.Mode().Perm())
	}

	s2 := start(t, dir, nil)
	if strings.Contains(s2.stderr.String(), "password") {
		t.Fatalf("restart printed a password again: %q", s2.stderr.String())
	}
	req, _ := http.NewRequest("GET", "http://"+s2.addr+"/api/v1/organizations", nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	if resp.StatusCode != 200 || !strings.Contains(string(body), `"slug":"default"`) {
		t.Fatalf("token from before the restart: %d %s", resp.StatusCode, body)
	}
}

// TestRunOnPostgreSQL: with --database-url the same server runs on a real
// PostgreSQL (migrated on start), ready and serving writes.
func TestRunOnPostgreSQL(t *testing.T) {
	s := startWith(t, Options{DataDir: t.TempDir(), DatabaseURL: pgtest.Start(t)}, map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword})
	tok := login(t, s.addr, "owner@example.com", testPassword)
	resp, err := http.Get("http://" + s.addr + "/readyz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 200 {
		t.Fatalf("/readyz on PostgreSQL: %d", resp.StatusCode)
	}
	req, _ := http.NewRequest("POST", "http://"+s.addr+"/api/v1/projects", strings.NewReader(`{"name":"Pg","slug":"pg"}`))
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err = http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("POST /projects on PostgreSQL: %d", resp.StatusCode)
	}
}

// TestAdminPasswordFromEnv: $CAPSULE_ADMIN_PASSWORD is used and never printed.
func TestAdminPasswordFromEnv(t *testing.T) {
	s := start(t, t.TempDir(), map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword})
	login(t, s.addr, "owner@example.com", testPassword)
	if strings.Contains(s.stderr.String(), testPassword) {
		t.Fatal("the password from the environment was printed")
	}
}

// TestWeakAdminPasswordRejected: a password against the policy stops the start.
func TestWeakAdminPasswordRejected(t *testing.T) {
	o := Options{Listen: "127.0.0.1:0", DataDir: t.TempDir(), Stderr: io.Discard, Logger: slog.New(slog.NewJSONHandler(io.Discard, nil)),
		Getenv: func(k string) string { return map[string]string{"CAPSULE_ADMIN_PASSWORD": "short"}[k] }}
	err := Run(context.Background(), o)
	if err == nil || !strings.Contains(err.Error(), "CAPSULE_ADMIN_PASSWORD") {
		t.Fatalf("Run = %v, want a password policy error", err)
	}
}

// TestGracefulShutdown: a request in flight when shutdown starts still
// completes. The client sends the headers and half the body, the server
// context is cancelled, then the client sends the rest and gets its 201.
func TestGracefulShutdown(t *testing.T) {
	s := start(t, t.TempDir(), map[string]string{"CAPSULE_ADMIN_PASSWORD": testPassword})
	tok := login(t, s.addr, "owner@example.com", testPassword)
	conn, err := net.Dial("tcp", s.addr)
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	body := `{"name":"Slow","slug":"slow"}`
	fmt.Fprintf(conn, "POST /api/v1/projects HTTP/1.1\r\nHost: %s\r\nAuthorization: Bearer %s\r\nContent-Type: application/json\r\nContent-Length: %d\r\n\r\n%s",
		s.addr, tok, len(body), body[:10])
	time.Sleep(200 * time.Millisecond) // let the server start reading the request
	s.cancel()
	// Wait until the listener is closed: shutdown has started.
	for i := 0; ; i++ {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			break
		}
		c.Close()
		if i > 200 {
			t.Fatal("listener still open 10s after shutdown started")
		}
		time.Sleep(50 * time.Millisecond)
	}
	if _, err := conn.Write([]byte(body[10:])); err != nil {
		t.Fatal(err)
	}
	resp, err := http.ReadResponse(bufio.NewReader(conn), nil)
	if err != nil {
		t.Fatalf("in-flight request lost: %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != 201 {
		t.Fatalf("in-flight request: status %d, want 201", resp.StatusCode)
	}
	if err := <-s.done; err != nil {
		t.Fatalf("Run after shutdown: %v", err)
	}
	s.done <- nil
}

func TestValidate(t *testing.T) {
	o := Options{Listen: "nope", AdminEmail: "not an email", MaxBodyBytes: 10, DataDir: "x"}
	err := o.Validate()
	for _, want := range []string{"--listen", "--admin-email", "--max-body-bytes"} {
		if err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("Validate() = %v, want it to name %s", err, want)
		}
	}
	o = Options{Getenv: func(k string) string { return map[string]string{"CAPSULE_LISTEN": "127.0.0.1:9999"}[k] }}
	o.Complete()
	if o.Listen != "127.0.0.1:9999" || o.DataDir != DefaultDataDir || o.AdminEmail != DefaultAdminEmail {
		t.Errorf("Complete() = %+v", o)
	}
	if err := o.Validate(); err != nil {
		t.Errorf("Validate() after Complete() = %v", err)
	}
}

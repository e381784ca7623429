// Package pgtest starts a real PostgreSQL server for tests, from the
// machine's PostgreSQL binaries (initdb and pg_ctl on PATH or under
// /usr/lib/postgresql/*/bin), in a temporary directory, listening on
// 127.0.0.1 and a Unix socket in that directory. Missing binaries fail the
// test with a message naming `make deps`; nothing is ever skipped.
//
// One server is shared by the tests of a package when its TestMain calls
// Main, which stops it after the tests; without Main each Start gets its own
// server, stopped by t.Cleanup. Either way every Start returns a URL to a
// fresh, empty database (StartFrom: a copy of a prepared template, e.g. a
// migrated schema). The server runs with fsync and autovacuum off: a test
// server needs no durability, and vacuum workers would hold connections to
// templates that are being copied.
//
// When the tests run as root (containers, CI) the server runs as the
// `postgres` user through runuser, because PostgreSQL refuses to run as root.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // the driver used to create databases
)

var (
	shared struct {
		sync.Mutex
		enabled bool
		srv     *Server
		err     error
	}
	dbCounter atomic.Int64
)

// Main runs the tests of a package with one shared server and stops it
// afterwards. Call it from TestMain: func TestMain(m *testing.M) { pgtest.Main(m) }.
func Main(m *testing.M) {
	shared.Lock()
	shared.enabled = true
	shared.Unlock()
	code := m.Run()
	shared.Lock()
	if shared.srv != nil {
		shared.srv.Stop()
	}
	shared.Unlock()
	os.Exit(code)
}

// Start returns the URL of a new empty database on a running server.
func Start(t testing.TB) string {
	t.Helper()
	return createDatabase(t, server(t), "")
}

// StartFrom returns the URL of a new database copied from a template that
// prepare initialised once per server and key, e.g. by applying the schema
// migrations: copying a database is much faster than migrating each one.
// prepare must close its connections to the template before returning.
func StartFrom(t testing.TB, key string, prepare func(url string) error) string {
	t.Helper()
	srv := server(t)
	tmpl, err := srv.template(key, prepare)
	if err != nil {
		t.Fatal(err)
	}
	return createDatabase(t, srv, tmpl)
}

func createDatabase(t testing.TB, srv *Server, template string) string {
	t.Helper()
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), dbCounter.Add(1))
	stmt := "CREATE DATABASE " + name
	if template != "" {
		stmt += " TEMPLATE " + template
	}
	if err := srv.execRetry(stmt); err != nil {
		t.Fatalf("pgtest: create database %s: %v", name, err)
	}
	t.Cleanup(func() {
		// FORCE closes connections a failed test left open.
		_ = srv.exec("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)")
	})
	return srv.URL(name)
}

func server(t testing.TB) *Server {
	t.Helper()
	shared.Lock()
	defer shared.Unlock()
	if !shared.enabled {
		srv, err := StartServer()
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(srv.Stop)
		return srv
	}
	if shared.srv == nil && shared.err == nil {
		shared.srv, shared.err = StartServer()
	}
	if shared.err != nil {
		t.Fatal(shared.err)
	}
	return shared.srv
}

// template returns the name of key's template database, creating it with
// prepare on first use.
func (s *Server) template(key string, prepare func(url string) error) (string, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	name := "tmpl_" + sanitize(key)
	if err, done := s.templates[name]; done {
		return name, err
	}
	err := s.exec("CREATE DATABASE " + name)
	if err == nil {
		err = prepare(s.URL(name))
	}
	if err == nil {
		// No session may be connected to a template while it is copied.
		err = s.execRetry("ALTER DATABASE " + name + " WITH IS_TEMPLATE true ALLOW_CONNECTIONS false")
	}
	if err != nil {
		err = fmt.Errorf("pgtest: prepare template %q: %w", key, err)
	}
	if s.templates == nil {
		s.templates = map[string]error{}
	}
	s.templates[name] = err
	return name, err
}

func sanitize(key string) string {
	b := []byte(strings.ToLower(key))
	for i, c := range b {
		if (c < 'a' || c > 'z') && (c < '0' || c > '9') {
			b[i] = '_'
		}
	}
	return string(b)
}

// execRetry runs stmt, retrying while PostgreSQL reports that the template
// is still in use (a closed pool's sessions take a moment to end, and
// copies of one template can collide).
func (s *Server) execRetry(stmt string) error {
	var err error
	for attempt := 0; attempt < 50; attempt++ {
		if err = s.exec(stmt); err == nil || !strings.Contains(err.Error(), "55006") {
			return err
		}
		time.Sleep(100 * time.Millisecond)
	}
	return err
}

// exec runs one statement on the server's maintenance database.
func (s *Server) exec(stmt string) error {
	db, err := sql.Open("pgx", s.URL("postgres"))
	if err != nil {
		return err
	}
	defer db.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	_, err = db.ExecContext(ctx, stmt)
	return err
}

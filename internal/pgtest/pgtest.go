// Package pgtest starts a real PostgreSQL server for tests, from the
// machine's PostgreSQL binaries (initdb and pg_ctl on PATH or under
// /usr/lib/postgresql/*/bin), in a temporary directory, listening on
// 127.0.0.1 and a Unix socket in that directory. Missing binaries fail the
// test with a message naming `make deps`; nothing is ever skipped.
//
// One server is shared by the tests of a package when its TestMain calls
// Main, which stops it after the tests; without Main each Start gets its own
// server, stopped by t.Cleanup. Either way every Start returns a URL to a
// fresh, empty database. The server runs with fsync off: a test server needs
// no durability, and it makes initdb and every commit much faster.
//
// When the tests run as root (containers, CI) the server runs as the
// `postgres` user through runuser, because PostgreSQL refuses to run as root.
package pgtest

import (
	"context"
	"database/sql"
	"fmt"
	"os"
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
	srv := server(t)
	name := fmt.Sprintf("test_%d_%d", os.Getpid(), dbCounter.Add(1))
	if err := srv.exec("CREATE DATABASE " + name); err != nil {
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

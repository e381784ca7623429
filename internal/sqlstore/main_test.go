package sqlstore_test

import (
	"context"
	"errors"
	"os"
	"path/filepath"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestMain(m *testing.M) {
	if dir := os.Getenv(crashChildEnv); dir != "" {
		os.Exit(crashChild(dir))
	}
	pgtest.Main(m)
}

// dialects opens a fresh, empty store of each dialect.
var dialects = []struct {
	name string
	open func(t testing.TB) string // returns a DSN
}{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "capsule.db") }},
	{"postgres", func(t testing.TB) string { return pgtest.StartFrom(t, "sqlstore", migrated) }},
}

// migrated prepares the template database every PostgreSQL test database
// is copied from: the store's migrations, applied once.
func migrated(url string) error {
	s, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		return err
	}
	return s.Close()
}

func openStore(t testing.TB, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// forEachDialect runs each case against a fresh SQLite and a fresh
// PostgreSQL store.
func forEachDialect(t *testing.T, cases []storeCase) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			for _, c := range cases {
				t.Run(c.name, func(t *testing.T) {
					c.run(t, openStore(t, d.open(t)))
				})
			}
		})
	}
}

type storeCase struct {
	name string
	run  func(t *testing.T, s *sqlstore.Store)
}

// wantCode fails unless err is a domain error with code.
func wantCode(t *testing.T, err error, code string) *capsule.Error {
	t.Helper()
	var e *capsule.Error
	if !errors.As(err, &e) {
		t.Fatalf("got error %v (%T), want code %s", err, err, code)
	}
	if e.Code != code {
		t.Fatalf("got code %s (%v), want %s", e.Code, err, code)
	}
	return e
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

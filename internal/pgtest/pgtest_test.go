package pgtest

import (
	"context"
	"database/sql"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestMain(m *testing.M) {
	if os.Getenv(orphanEnv) != "" {
		orphan()
		return
	}
	Main(m)
}

// TestStartGivesFreshDatabases checks that two Starts share a server but
// get separate, writable databases.
func TestStartGivesFreshDatabases(t *testing.T) {
	ctx := context.Background()
	a, b := Start(t), Start(t)
	if a == b {
		t.Fatalf("two Starts returned the same database %s", a)
	}
	for _, url := range []string{a, b} {
		db, err := sql.Open("pgx", url)
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		var n int
		if err := db.QueryRowContext(ctx, "SELECT count(*) FROM pg_tables WHERE schemaname = 'public'").Scan(&n); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
		if n != 0 {
			t.Fatalf("%s: fresh database has %d tables", url, n)
		}
		if _, err := db.ExecContext(ctx, "CREATE TABLE t (id int)"); err != nil {
			t.Fatalf("%s: %v", url, err)
		}
	}
}

// TestMissingBinaries checks the failure a machine without PostgreSQL gets.
func TestMissingBinaries(t *testing.T) {
	t.Setenv("PATH", t.TempDir())
	_, err := findBinariesIn(filepath.Join(t.TempDir(), "*", "bin", "initdb"))
	if err == nil || !strings.Contains(err.Error(), "make deps") {
		t.Fatalf("error %v does not say to run make deps", err)
	}
}

// TestFindBinariesNewest prefers the newest version directory.
func TestFindBinariesNewest(t *testing.T) {
	root := t.TempDir()
	for _, v := range []string{"9", "15", "13"} {
		dir := filepath.Join(root, v, "bin")
		if err := os.MkdirAll(dir, 0o755); err != nil {
			t.Fatal(err)
		}
		for _, name := range []string{"initdb", "pg_ctl"} {
			if err := os.WriteFile(filepath.Join(dir, name), nil, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	t.Setenv("PATH", t.TempDir())
	dir, err := findBinariesIn(filepath.Join(root, "*", "bin", "initdb"))
	if err != nil || dir != filepath.Join(root, "15", "bin") {
		t.Fatalf("found %q, %v; want version 15", dir, err)
	}
}

func TestFindBinaries(t *testing.T) {
	dir, err := findBinaries()
	if err != nil {
		t.Fatal(err)
	}
	if dir == "" {
		t.Fatal("empty binary directory")
	}
}

// TestStartFrom prepares a template once and copies it for each database.
func TestStartFrom(t *testing.T) {
	ctx := context.Background()
	prepared := 0
	prepare := func(url string) error {
		prepared++
		db, err := sql.Open("pgx", url)
		if err != nil {
			return err
		}
		defer db.Close()
		_, err = db.ExecContext(ctx, "CREATE TABLE seeded (id int); INSERT INTO seeded VALUES (42)")
		return err
	}
	for range 3 {
		db, err := sql.Open("pgx", StartFrom(t, "Seeded Schema", prepare))
		if err != nil {
			t.Fatal(err)
		}
		var v int
		if err := db.QueryRowContext(ctx, "SELECT id FROM seeded").Scan(&v); err != nil || v != 42 {
			t.Fatalf("copy of the template: %d, %v", v, err)
		}
		if _, err := db.ExecContext(ctx, "INSERT INTO seeded VALUES (1)"); err != nil {
			t.Fatal(err)
		}
		db.Close()
	}
	if prepared != 1 {
		t.Fatalf("template prepared %d times, want once", prepared)
	}
}

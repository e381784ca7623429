package pgtest

import (
	"context"
	"database/sql"
	"testing"
)

func TestMain(m *testing.M) { Main(m) }

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

func TestFindBinaries(t *testing.T) {
	dir, err := findBinaries()
	if err != nil {
		t.Fatal(err)
	}
	if dir == "" {
		t.Fatal("empty binary directory")
	}
}

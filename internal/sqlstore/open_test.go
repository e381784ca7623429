package sqlstore_test

import (
	"context"
	"path/filepath"
	"testing"

	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestDSN(t *testing.T) {
	if got := sqlstore.DSN("postgres://u@h/db", "/data"); got != "postgres://u@h/db" {
		t.Fatalf("DSN with a URL = %q", got)
	}
	if got := sqlstore.DSN("", "/data"); got != filepath.Join("/data", "capsule.db") {
		t.Fatalf("DSN without a URL = %q", got)
	}
}

// TestOpen opens each dialect twice: the second Open applies nothing, the
// data survives, and the pool figures are exposed.
func TestOpen(t *testing.T) {
	ctx := context.Background()
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			dsn := d.open(t)
			s := openStore(t, dsn)
			if s.Dialect() != d.name {
				t.Fatalf("dialect %q, want %q", s.Dialect(), d.name)
			}
			f := newFixture(t, s)
			migrations := countRows(t, s, "schema_migrations")
			must(t, s.Close())

			s = openStore(t, dsn)
			must(t, s.Ping(ctx))
			if n := countRows(t, s, "schema_migrations"); n != migrations || n == 0 {
				t.Fatalf("schema_migrations has %d rows after reopening, want %d", n, migrations)
			}
			if _, err := s.FindService(ctx, f.service.ID); err != nil {
				t.Fatal(err)
			}
			stats := s.Stats()
			wantPools := map[string]int{"sqlite": 2, "postgres": 1}[d.name]
			if len(stats) != wantPools || stats[0].MaxOpenConnections == 0 {
				t.Fatalf("pool stats %+v", stats)
			}
		})
	}
}

// TestSQLiteSettings checks the durability settings on the writer
// connection (see the internal/database package comment).
func TestSQLiteSettings(t *testing.T) {
	s := openStore(t, filepath.Join(t.TempDir(), "capsule.db"))
	ctx := context.Background()
	for pragma, want := range map[string]string{
		"journal_mode": "wal", "synchronous": "2", "foreign_keys": "1", "busy_timeout": "10000",
	} {
		var got string
		must(t, s.DB().QueryRowContext(ctx, "PRAGMA "+pragma).Scan(&got))
		if got != want {
			t.Errorf("PRAGMA %s = %s, want %s", pragma, got, want)
		}
	}
	if got := s.Stats()[0].MaxOpenConnections; got != 1 {
		t.Errorf("writer pool has %d connections, want 1", got)
	}
}

func TestOpenErrors(t *testing.T) {
	ctx := context.Background()
	for _, dsn := range []string{"", ":memory:", "file:x.db", "/tmp/what?x=1", "postgres://127.0.0.1:1/none?connect_timeout=2"} {
		if s, err := sqlstore.Open(ctx, dsn, sqlstore.Options{}); err == nil {
			s.Close()
			t.Errorf("Open(%q) succeeded", dsn)
		}
	}
}

// TestDatabaseSharesGroupCommit writes through Database().InTx, as another
// store package would, and reads the row back through the store's pools.
func TestDatabaseSharesGroupCommit(t *testing.T) {
	ctx := context.Background()
	s := openStore(t, filepath.Join(t.TempDir(), "capsule.db"))
	f := newFixture(t, s)
	err := s.Database().InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE projects SET name = ? WHERE id = ?", "Renamed elsewhere", f.project.ID)
		return err
	})
	must(t, err)
	p, err := s.FindProject(ctx, f.project.ID)
	must(t, err)
	if p.Name != "Renamed elsewhere" {
		t.Fatalf("name %q after a write through Database()", p.Name)
	}
}

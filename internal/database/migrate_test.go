package database

import (
	"context"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"

	"github.com/usecapsule/capsule/internal/pgtest"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func TestLoadMigrations(t *testing.T) {
	ok := fstest.MapFS{
		"0002_b.sql": {Data: []byte("B")}, "0001_a.sql": {Data: []byte("A")}, "0100_c.sql": {Data: []byte("C")},
		"README.md": {Data: []byte("not a migration")},
	}
	ms, err := LoadMigrations(ok)
	if err != nil {
		t.Fatal(err)
	}
	if len(ms) != 3 || ms[0].Version != 1 || ms[1].Version != 2 || ms[2].Version != 100 || ms[2].SQL != "C" {
		t.Fatalf("migrations %+v", ms)
	}
	for name, fsys := range map[string]fstest.MapFS{
		"core.sql":   {"core.sql": {}},
		"x_core.sql": {"x_core.sql": {}},
		"0000_z.sql": {"0000_z.sql": {}},
		"0001_b.sql": {"0001_a.sql": {}, "0001_b.sql": {}},
	} {
		_, err := LoadMigrations(fsys)
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("%s: error %v does not name the file", name, err)
		}
	}
}

func openDialects(t *testing.T) map[string]*DB {
	t.Helper()
	out := map[string]*DB{}
	for name, dsn := range map[string]string{
		"sqlite":   filepath.Join(t.TempDir(), "m.db"),
		"postgres": pgtest.Start(t),
	} {
		db, err := Open(context.Background(), dsn, Options{})
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { db.Close() })
		out[name] = db
	}
	return out
}

// TestMigrateAtomic applies migrations in steps; a failing migration leaves
// nothing of the batch behind, in both dialects.
func TestMigrateAtomic(t *testing.T) {
	ctx := context.Background()
	for name, db := range openDialects(t) {
		t.Run(name, func(t *testing.T) {
			first := fstest.MapFS{"0001_a.sql": {Data: []byte("CREATE TABLE a (id INTEGER PRIMARY KEY); INSERT INTO a (id) VALUES (1);")}}
			applied, err := db.Migrate(ctx, first)
			if err != nil || len(applied) != 1 {
				t.Fatalf("first migrate: %v %v", applied, err)
			}
			if applied, err = db.Migrate(ctx, first); err != nil || len(applied) != 0 {
				t.Fatalf("second migrate applied %v, %v", applied, err)
			}
			broken := fstest.MapFS{
				"0001_a.sql":   first["0001_a.sql"],
				"0002_b.sql":   {Data: []byte("CREATE TABLE b (id INTEGER PRIMARY KEY);")},
				"0003_bad.sql": {Data: []byte("CREATE TABLE c (id INTEGER PRIMARY KEY); SELECT * FROM no_such_table;")},
			}
			_, err = db.Migrate(ctx, broken)
			if err == nil || !strings.Contains(err.Error(), "0003_bad.sql") {
				t.Fatalf("broken migration: error %v does not name the file", err)
			}
			pending, err := db.Pending(ctx, broken)
			if err != nil || len(pending) != 2 {
				t.Fatalf("pending after a failed batch: %v %v", pending, err)
			}
			if _, err := db.Exec(ctx, "INSERT INTO b (id) VALUES (1)"); err == nil {
				t.Fatal("table b of the failed batch exists")
			}
		})
	}
}

// TestErrorClassification provokes each error class in each dialect.
func TestErrorClassification(t *testing.T) {
	ctx := context.Background()
	for name, db := range openDialects(t) {
		t.Run(name, func(t *testing.T) {
			schema := "CREATE TABLE p (id INTEGER PRIMARY KEY, u TEXT UNIQUE); " +
				"CREATE TABLE c (id INTEGER PRIMARY KEY, p INTEGER NOT NULL REFERENCES p (id) ON DELETE CASCADE);"
			if _, err := db.Migrate(ctx, fstest.MapFS{"0001_s.sql": {Data: []byte(schema)}}); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(ctx, "INSERT INTO p (id, u) VALUES (1, 'x')"); err != nil {
				t.Fatal(err)
			}
			_, err := db.Exec(ctx, "INSERT INTO p (id, u) VALUES (2, 'x')")
			if !IsUniqueViolation(err) || IsForeignKeyViolation(err) || IsRetryable(err) {
				t.Fatalf("duplicate: %v not classified as a unique violation", err)
			}
			_, err = db.Exec(ctx, "INSERT INTO c (id, p) VALUES (1, 99)")
			if !IsForeignKeyViolation(err) || IsUniqueViolation(err) {
				t.Fatalf("missing parent: %v not classified as a foreign-key violation", err)
			}
			if _, err := db.Exec(ctx, "INSERT INTO c (id, p) VALUES (1, 1)"); err != nil {
				t.Fatal(err)
			}
			if _, err := db.Exec(ctx, "DELETE FROM p WHERE id = 1"); err != nil {
				t.Fatal(err)
			}
			var n int
			if err := db.QueryRow(ctx, "SELECT COUNT(*) FROM c").Scan(&n); err != nil || n != 0 {
				t.Fatalf("cascade left %d rows (%v)", n, err)
			}
			if _, err := db.Exec(ctx, "INSERT INTO p (id, u) VALUES (?, ?)", 3, "nul\x00"); !IsInvalidText(err) {
				t.Fatalf("NUL text: %v", err)
			}
		})
	}
}

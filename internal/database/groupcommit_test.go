package database

import (
	"context"
	"errors"
	"fmt"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"
)

func openSQLiteTable(t *testing.T) *DB {
	t.Helper()
	ctx := context.Background()
	db, err := Open(ctx, filepath.Join(t.TempDir(), "g.db"), Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { db.Close() })
	if _, err := db.Migrate(ctx, fstest.MapFS{"0001_t.sql": {Data: []byte("CREATE TABLE t (id INTEGER PRIMARY KEY)")}}); err != nil {
		t.Fatal(err)
	}
	return db
}

// TestGroupCommitIsolatesFailures runs many concurrent transactions, every
// third of which writes and then fails: only the failed ones are undone.
func TestGroupCommitIsolatesFailures(t *testing.T) {
	ctx := context.Background()
	db := openSQLiteTable(t)
	const n = 60
	errs := make([]error, n)
	var wg sync.WaitGroup
	for i := range n {
		wg.Go(func() {
			errs[i] = db.InTx(ctx, func(tx *Tx) error {
				if _, err := tx.Exec(ctx, "INSERT INTO t (id) VALUES (?)", i); err != nil {
					return err
				}
				if i%3 == 0 {
					return fmt.Errorf("refused %d", i)
				}
				return nil
			})
		})
	}
	wg.Wait()
	for i := range n {
		var found int
		err := db.QueryRow(ctx, "SELECT COUNT(*) FROM t WHERE id = ?", i).Scan(&found)
		if err != nil {
			t.Fatal(err)
		}
		switch {
		case i%3 == 0 && (errs[i] == nil || found != 0):
			t.Fatalf("transaction %d: error %v, %d rows; want its error and no row", i, errs[i], found)
		case i%3 != 0 && (errs[i] != nil || found != 1):
			t.Fatalf("transaction %d: error %v, %d rows; want success and its row", i, errs[i], found)
		}
	}
	// A statement error inside a transaction is that transaction's alone.
	err := db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO t (id) VALUES (?)", 1)
		return err
	})
	if !IsUniqueViolation(err) {
		t.Fatalf("duplicate insert: %v", err)
	}
}

func TestGroupCommitPanicsInCaller(t *testing.T) {
	ctx := context.Background()
	db := openSQLiteTable(t)
	func() {
		defer func() {
			if v := recover(); v != "boom" {
				t.Fatalf("recovered %v, want the transaction's panic", v)
			}
		}()
		_ = db.InTx(ctx, func(tx *Tx) error {
			_, _ = tx.Exec(ctx, "INSERT INTO t (id) VALUES (?)", 7)
			panic("boom")
		})
	}()
	// The committer survived and the panicking write was undone.
	if err := db.InTx(ctx, func(tx *Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO t (id) VALUES (?)", 7)
		return err
	}); err != nil {
		t.Fatalf("after a panic: %v", err)
	}
}

func TestGroupCommitContextAndClose(t *testing.T) {
	db := openSQLiteTable(t)
	ctx, cancel := context.WithCancel(context.Background())
	cancel()
	ran := false
	err := db.InTx(ctx, func(tx *Tx) error { ran = true; return nil })
	if !errors.Is(err, context.Canceled) || ran {
		t.Fatalf("cancelled context: error %v, ran %v", err, ran)
	}
	if err := db.Close(); err != nil {
		t.Fatal(err)
	}
	if err := db.InTx(context.Background(), func(tx *Tx) error { return nil }); !errors.Is(err, ErrClosed) {
		t.Fatalf("after Close: %v, want ErrClosed", err)
	}
}

// TestGroupCommitIgnoresLateCancel cancels a caller's context while its
// transaction runs: its statements still complete (an interrupted SQLite
// write would roll back the whole shared transaction), and the store stays
// usable.
func TestGroupCommitIgnoresLateCancel(t *testing.T) {
	db := openSQLiteTable(t)
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	err := db.InTx(ctx, func(tx *Tx) error {
		cancel()
		_, err := tx.Exec(ctx, "INSERT INTO t (id) VALUES (?)", 1)
		return err
	})
	if err != nil {
		t.Fatalf("a transaction whose caller gave up while it ran: %v", err)
	}
	var n int
	if err := db.QueryRow(context.Background(), "SELECT COUNT(*) FROM t").Scan(&n); err != nil || n != 1 {
		t.Fatalf("%d rows, %v; want the committed row", n, err)
	}
}

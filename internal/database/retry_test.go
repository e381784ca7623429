package database

import (
	"context"
	"database/sql"
	"path/filepath"
	"sync"
	"testing"
	"testing/fstest"

	"github.com/usecapsule/capsule/internal/pgtest"
)

// TestSQLiteBusyIsRetryable holds the write lock from one pool while a
// second one, without busy_timeout, tries to write.
func TestSQLiteBusyIsRetryable(t *testing.T) {
	ctx := context.Background()
	path := filepath.Join(t.TempDir(), "busy.db")
	db, err := Open(ctx, path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	other, err := sql.Open("sqlite", "file:"+path+"?_txlock=immediate")
	if err != nil {
		t.Fatal(err)
	}
	defer other.Close()
	err = db.InTx(ctx, func(tx *Tx) error {
		_, err := other.BeginTx(ctx, nil)
		return err
	})
	if !IsRetryable(err) || IsUniqueViolation(err) {
		t.Fatalf("second writer: %v, want a retryable SQLITE_BUSY", err)
	}
}

// TestPostgresDeadlockIsRetryable makes two transactions lock two rows in
// opposite orders; PostgreSQL aborts one with a deadlock error.
func TestPostgresDeadlockIsRetryable(t *testing.T) {
	ctx := context.Background()
	db, err := Open(ctx, pgtest.Start(t), Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	if _, err := db.Migrate(ctx, fstest.MapFS{"0001_t.sql": {Data: []byte("CREATE TABLE t (id INT PRIMARY KEY, v INT); INSERT INTO t VALUES (1, 0), (2, 0);")}}); err != nil {
		t.Fatal(err)
	}
	var bothLocked sync.WaitGroup
	bothLocked.Add(2)
	errs := make(chan error, 2)
	run := func(first, second int) {
		tx, err := db.Writer().BeginTx(ctx, nil)
		if err == nil {
			defer tx.Rollback()
			_, err = tx.ExecContext(ctx, "UPDATE t SET v = v + 1 WHERE id = $1", first)
		}
		bothLocked.Done()
		if err != nil {
			errs <- err
			return
		}
		bothLocked.Wait() // each transaction now holds the row the other wants
		_, err = tx.ExecContext(ctx, "UPDATE t SET v = v + 1 WHERE id = $1", second)
		errs <- err
	}
	go run(1, 2)
	go run(2, 1)
	var deadlocks int
	for range 2 {
		if err := <-errs; err != nil {
			if !IsRetryable(err) {
				t.Fatalf("unexpected error %v", err)
			}
			deadlocks++
		}
	}
	if deadlocks != 1 {
		t.Fatalf("%d transactions failed, want exactly 1 deadlock", deadlocks)
	}
}

package database

import (
	"context"
	"database/sql"
	"errors"
	"math/rand/v2"
	"strings"
	"time"
	"unicode/utf8"
)

// Querier runs statements written with `?` placeholders, on a pool or in a
// transaction.
type Querier interface {
	Exec(ctx context.Context, query string, args ...any) (sql.Result, error)
	Query(ctx context.Context, query string, args ...any) (*sql.Rows, error)
	QueryRow(ctx context.Context, query string, args ...any) *Row
}

// ErrInvalidText is returned, before the statement reaches the database,
// when a string argument holds a NUL byte or invalid UTF-8: PostgreSQL
// rejects such text and SQLite would store it, so both refuse it here.
var ErrInvalidText = errors.New("database: text contains a NUL byte or invalid UTF-8")

// ValidText reports whether s can be stored as text in both dialects.
func ValidText(s string) bool {
	return strings.IndexByte(s, 0) < 0 && utf8.ValidString(s)
}

func checkArgs(args []any) error {
	for _, a := range args {
		if s, ok := a.(string); ok && !ValidText(s) {
			return ErrInvalidText
		}
	}
	return nil
}

// Row is the result of QueryRow; its Scan returns sql.ErrNoRows when the
// query found nothing.
type Row struct {
	row *sql.Row
	err error
}

// Scan copies the row's columns into dest.
func (r *Row) Scan(dest ...any) error {
	if r.err != nil {
		return r.err
	}
	return r.row.Scan(dest...)
}

// Exec runs a write statement outside a transaction on the writer pool.
// Writes are not served from the statement cache: preparing on the
// one-connection writer pool would wait for a transaction holding it.
func (db *DB) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return db.write.ExecContext(ctx, db.dialect.Rebind(query), args...)
}

// Query runs a read on the reader pool.
func (db *DB) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	query = db.dialect.Rebind(query)
	if st, err := db.prepared(ctx, db.readStmts, query); err != nil || st != nil {
		if err != nil {
			return nil, err
		}
		return st.QueryContext(ctx, args...)
	}
	return db.read.QueryContext(ctx, query, args...)
}

// QueryRow runs a one-row read on the reader pool.
func (db *DB) QueryRow(ctx context.Context, query string, args ...any) *Row {
	if err := checkArgs(args); err != nil {
		return &Row{err: err}
	}
	query = db.dialect.Rebind(query)
	if st, err := db.prepared(ctx, db.readStmts, query); err != nil || st != nil {
		if err != nil {
			return &Row{err: err}
		}
		return &Row{row: st.QueryRowContext(ctx, args...)}
	}
	return &Row{row: db.read.QueryRowContext(ctx, query, args...)}
}

// prepared returns the cached statement of query, nil when the pool has no
// cache (PostgreSQL) or the cache is full.
func (db *DB) prepared(ctx context.Context, c *stmtCache, query string) (*sql.Stmt, error) {
	if c == nil {
		return nil, nil
	}
	return c.get(ctx, query)
}

// Tx is a write transaction.
type Tx struct {
	tx      *sql.Tx
	dialect Dialect
	// shared is set in a group commit: there the statements ignore the
	// cancellation of their caller's context, because SQLite answers an
	// interrupted write by rolling back the whole transaction, which holds
	// other callers' writes too.
	shared bool
}

func (t *Tx) ctx(ctx context.Context) context.Context {
	if t.shared {
		return context.WithoutCancel(ctx)
	}
	return ctx
}

// Exec runs a statement in the transaction.
func (t *Tx) Exec(ctx context.Context, query string, args ...any) (sql.Result, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return t.tx.ExecContext(t.ctx(ctx), t.dialect.Rebind(query), args...)
}

// Query runs a query in the transaction.
func (t *Tx) Query(ctx context.Context, query string, args ...any) (*sql.Rows, error) {
	if err := checkArgs(args); err != nil {
		return nil, err
	}
	return t.tx.QueryContext(t.ctx(ctx), t.dialect.Rebind(query), args...)
}

// QueryRow runs a one-row query in the transaction.
func (t *Tx) QueryRow(ctx context.Context, query string, args ...any) *Row {
	if err := checkArgs(args); err != nil {
		return &Row{err: err}
	}
	return &Row{row: t.tx.QueryRowContext(t.ctx(ctx), t.dialect.Rebind(query), args...)}
}

// Dialect returns the transaction's dialect.
func (t *Tx) Dialect() Dialect { return t.dialect }

// maxAttempts bounds the retries of a transaction that lost a race
// (SQLITE_BUSY, PostgreSQL serialization failure or deadlock).
const maxAttempts = 5

// InTx runs fn in a write transaction and commits it when fn returns nil.
// A transaction that fails with a retryable error is rolled back and run
// again, up to maxAttempts times, so fn must have no side effects outside
// the transaction. On SQLite, fn runs in a savepoint of a group commit
// shared with concurrent callers (see groupcommit.go); fn must not call
// InTx itself.
//
// A TxHook in ctx (see WithTxHook) runs inside the transaction after fn.
func (db *DB) InTx(ctx context.Context, fn func(tx *Tx) error) error {
	fn, h := hooked(ctx, fn)
	err := db.inTx(ctx, fn)
	if h != nil {
		h.Finished(err)
	}
	return err
}

func (db *DB) inTx(ctx context.Context, fn func(tx *Tx) error) error {
	if db.commit != nil {
		return db.commit.do(ctx, fn)
	}
	var err error
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		err = db.runTx(ctx, fn)
		if err == nil || !IsRetryable(err) || ctx.Err() != nil {
			return err
		}
		// Jittered backoff so two retrying writers do not collide again.
		d := time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond
		select {
		case <-ctx.Done():
			return errors.Join(err, ctx.Err())
		case <-time.After(d):
		}
	}
	return err
}

func (db *DB) runTx(ctx context.Context, fn func(tx *Tx) error) (err error) {
	sqlTx, err := db.write.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = sqlTx.Rollback()
		}
	}()
	if err = fn(&Tx{tx: sqlTx, dialect: db.dialect}); err != nil {
		return err
	}
	return sqlTx.Commit()
}

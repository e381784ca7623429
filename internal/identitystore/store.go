// Package identitystore persists identity and access data (API keys, role
// bindings, custom roles, the audit log, secrets, login failures) in the same
// database as internal/sqlstore, whose migrations 0100 and up create these
// tables. It is a separate package so the two stores can grow in parallel;
// it uses the store's connection pool and the dialect helpers of
// internal/database, and writes SQL with `?` placeholders only.
//
// Decisions where the issue is silent:
//   - The audit log has one hash chain for the whole installation: appends
//     are serialised (SQLite's single writer; a transaction-scoped advisory
//     lock on PostgreSQL), which is cheap next to the request being audited.
//   - Secrets are unique per (organization, project, environment, name);
//     setting an existing name adds a version. Values exist only as
//     secretbox ciphertexts.
package identitystore

import (
	"context"
	"database/sql"
	"errors"

	"github.com/google/uuid"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// Store is the identity store over one database.
type Store struct {
	db      *sql.DB
	dialect database.Dialect
	audit   *auditQueue
}

// Source is what the store needs from internal/sqlstore: the connection
// pool (the writer pool on SQLite) and the dialect name.
type Source interface {
	DB() *sql.DB
	Dialect() string
}

// New returns the identity store sharing src's database.
func New(src Source) *Store {
	return &Store{db: src.DB(), dialect: database.Dialect(src.Dialect()), audit: &auditQueue{}}
}

// Dialect returns the database dialect.
func (s *Store) Dialect() database.Dialect { return s.dialect }

func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	return s.db.ExecContext(ctx, s.dialect.Rebind(q), args...)
}

func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.QueryContext(ctx, s.dialect.Rebind(q), args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *sql.Row {
	return s.db.QueryRowContext(ctx, s.dialect.Rebind(q), args...)
}

// inTx runs fn in a transaction, retrying when the database reports a lost race.
func (s *Store) inTx(ctx context.Context, fn func(tx *sql.Tx) error) error {
	var err error
	for range 5 {
		err = s.runTx(ctx, fn)
		if err == nil || !database.IsRetryable(err) || ctx.Err() != nil {
			return err
		}
	}
	return err
}

func (s *Store) runTx(ctx context.Context, fn func(tx *sql.Tx) error) (err error) {
	tx, err := s.db.BeginTx(ctx, nil)
	if err != nil {
		return err
	}
	defer func() {
		if err != nil {
			_ = tx.Rollback()
		}
	}()
	if err = fn(tx); err != nil {
		return err
	}
	return tx.Commit()
}

func newID() string { return uuid.Must(uuid.NewV7()).String() }

// dbErr maps no-rows to notFound and wraps anything else as internal.
func dbErr(err error, notFound *capsule.Error) error {
	switch {
	case err == nil:
		return nil
	case errors.Is(err, sql.ErrNoRows) && notFound != nil:
		return notFound
	}
	var de *capsule.Error
	if errors.As(err, &de) {
		return err
	}
	return capsule.Internal(err)
}

// validUUID reports whether id is a UUID; columns of UUID type on
// PostgreSQL reject anything else, so such ids find nothing in both dialects.
func validUUID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil && len(id) == 36
}

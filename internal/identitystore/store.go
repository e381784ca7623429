// Package identitystore persists identity and access data (API keys, role
// bindings, custom roles, the audit log, secrets, login failures) in the same
// database as internal/sqlstore, whose migrations 0100 and up create these
// tables. It is a separate package so the two stores can grow in parallel;
// it uses the store's connection pool and the dialect helpers of
// internal/database, and writes SQL with `?` placeholders only.
//
// Design decisions:
//   - The audit log has one hash chain for the whole installation: appends
//     are serialised (SQLite's single writer; a transaction-scoped advisory
//     lock on PostgreSQL), which is cheap next to the request being audited.
//   - A state change and its audit entry commit in one transaction: the
//     HTTP guard opens an AuditUnit whose hook every InTx under the request
//     context runs before committing (see audit_unit.go).
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
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
)

// Store is the identity store over one database.
type Store struct {
	db      *database.DB
	dialect database.Dialect
	audit   *auditQueue
	hooks   *accessHooks
	signer  *audit.Signer // signs and checks audit checkpoints; nil: none
}

// Source is what the store needs from internal/sqlstore: its database
// layer, whose InTx joins the store's group commit on SQLite.
type Source interface {
	Database() *database.DB
}

// New returns the identity store sharing src's database.
func New(src Source) *Store {
	db := src.Database()
	return &Store{db: db, dialect: db.Dialect(), audit: &auditQueue{}, hooks: &accessHooks{}}
}

// Dialect returns the database dialect.
func (s *Store) Dialect() database.Dialect { return s.dialect }

// exec runs one write statement as its own transaction through InTx, so on
// SQLite it shares the group commit (and its fsync) with every other write.
func (s *Store) exec(ctx context.Context, q string, args ...any) (sql.Result, error) {
	var res sql.Result
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		var err error
		res, err = tx.Exec(ctx, q, args...)
		return err
	})
	return res, err
}

// query and queryRow read outside transactions (SQLite's reader pool), so
// reads never wait for the one write connection.
func (s *Store) query(ctx context.Context, q string, args ...any) (*sql.Rows, error) {
	return s.db.Query(ctx, q, args...)
}

func (s *Store) queryRow(ctx context.Context, q string, args ...any) *database.Row {
	return s.db.QueryRow(ctx, q, args...)
}

// inTx runs fn in a write transaction: InTx retries it when the database
// reports a lost race and, on SQLite, runs it in the store's group commit.
// fn must use only tx (calling InTx again would wait for itself).
func (s *Store) inTx(ctx context.Context, fn func(tx *database.Tx) error) error {
	return s.db.InTx(ctx, fn)
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
	if database.IsInvalidText(err) {
		return capsule.Errorf(capsule.KindInvalid, capsule.CodeValidation, "text values must be valid UTF-8 without NUL characters")
	}
	return capsule.Internal(err)
}

// validUUID reports whether id is a UUID; columns of UUID type on
// PostgreSQL reject anything else, so such ids find nothing in both dialects.
func validUUID(id string) bool {
	_, err := uuid.Parse(id)
	return err == nil && len(id) == 36
}

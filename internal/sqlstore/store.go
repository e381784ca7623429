// Package sqlstore implements capsule.Store over SQL: SQLite by default,
// PostgreSQL when given a postgres:// URL. Every dialect difference lives in
// internal/database; this package writes one SQL text per query with `?`
// placeholders and never builds SQL from input.
//
// Design decisions:
//   - IDs are UUIDv7 generated in Go; lists are ordered by id (creation order,
//     deployments newest first) and the cursor is the base64url of the last id
//     of a page. A malformed cursor is a VALIDATION_FAILED error on "cursor".
//   - An id that is not a UUID finds nothing (NOT_FOUND), and a filter on such
//     an id returns an empty list, in both dialects.
//   - A missing parent (a project in an unknown organization) is the parent's
//     NOT_FOUND error, e.g. ORGANIZATION_NOT_FOUND.
//   - Deleting an organization, project, service or environment deletes what
//     it owns through ON DELETE CASCADE in one statement; deleting an
//     environment deletes its deployment records.
//   - Emails are unique case-insensitively (a lower-cased key column).
package sqlstore

import (
	"context"
	"database/sql"
	"embed"
	"fmt"
	"io/fs"
	"path/filepath"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

//go:embed migrations
var migrations embed.FS

// Options tune the store's connection pools.
type Options = database.Options

// Store is capsule.Store over SQLite or PostgreSQL.
type Store struct {
	db         *database.DB
	promoHooks promotionHooks
}

var _ capsule.Store = (*Store)(nil)

// DSN chooses the database: databaseURL when set (a postgres:// URL), else
// the SQLite file capsule.db in dataDir.
func DSN(databaseURL, dataDir string) string {
	if databaseURL != "" {
		return databaseURL
	}
	return filepath.Join(dataDir, "capsule.db")
}

// Open connects to dsn (see DSN) and applies the pending migrations.
func Open(ctx context.Context, dsn string, opts Options) (*Store, error) {
	db, err := database.Open(ctx, dsn, opts)
	if err != nil {
		return nil, err
	}
	fsys, err := migrationsFS(db.Dialect())
	if err == nil {
		_, err = db.Migrate(ctx, fsys)
	}
	if err != nil {
		db.Close()
		return nil, err
	}
	return &Store{db: db}, nil
}

// MigrationsFS returns the embedded migrations of a dialect.
func migrationsFS(d database.Dialect) (fs.FS, error) {
	return fs.Sub(migrations, "migrations/"+string(d))
}

// DB returns the main connection pool (the writer pool for SQLite).
func (s *Store) DB() *sql.DB { return s.db.Writer() }

// Database returns the dialect layer under the store, for packages that
// keep their own tables in the same database (identity, previews). Its
// InTx is the one to write with: on SQLite it joins the group commit, so
// such writes share fsyncs with the store's instead of queueing for their
// own.
func (s *Store) Database() *database.DB { return s.db }

// Stats returns the figures of every connection pool, for metrics.
func (s *Store) Stats() []database.PoolStats { return s.db.Stats() }

// Dialect returns "sqlite" or "postgres".
func (s *Store) Dialect() string { return string(s.db.Dialect()) }

// Ping reports whether the database answers and every embedded migration
// has been applied.
func (s *Store) Ping(ctx context.Context) error {
	if err := s.db.Ping(ctx); err != nil {
		return capsule.Internal(err)
	}
	fsys, err := migrationsFS(s.db.Dialect())
	if err != nil {
		return capsule.Internal(err)
	}
	pending, err := s.db.Pending(ctx, fsys)
	if err != nil {
		return capsule.Internal(err)
	}
	if len(pending) > 0 {
		return capsule.Internal(fmt.Errorf("sqlstore: migrations not applied: %v", pending))
	}
	return nil
}

// Close closes the connection pools.
func (s *Store) Close() error { return s.db.Close() }

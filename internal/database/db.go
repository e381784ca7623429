package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"io/fs"
	"net/url"
	"os"
	"path/filepath"
	"runtime"
	"strings"
	"time"

	_ "github.com/jackc/pgx/v5/stdlib" // registers the "pgx" database/sql driver
	_ "modernc.org/sqlite"             // registers the "sqlite" database/sql driver
)

// Options tune the connection pools. Zero values pick the defaults.
type Options struct {
	// MaxOpenConns bounds the PostgreSQL pool, or the SQLite reader pool
	// (the SQLite writer pool always has exactly one connection).
	MaxOpenConns int
	// ConnMaxLifetime recycles PostgreSQL connections; 0 means 30 minutes.
	ConnMaxLifetime time.Duration
}

// DB is an open database: one pool for PostgreSQL, a one-connection writer
// pool plus a reader pool for SQLite.
type DB struct {
	dialect Dialect
	write   *sql.DB
	read    *sql.DB
	// readStmts caches the SQLite reader pool's prepared statements; nil
	// for PostgreSQL.
	readStmts *stmtCache
	// commit batches SQLite write transactions (see groupcommit.go); nil
	// for PostgreSQL, whose server does its own group commit.
	commit *committer
}

// Open connects to dsn (a postgres:// URL or a SQLite file path; the SQLite
// file's directory is created with mode 0700 when missing) and checks that
// the database answers.
func Open(ctx context.Context, dsn string, opts Options) (*DB, error) {
	var (
		db  *DB
		err error
	)
	if DialectOf(dsn) == Postgres {
		db, err = openPostgres(dsn, opts)
	} else {
		db, err = openSQLite(dsn, opts)
	}
	if err != nil {
		return nil, err
	}
	// A database that does not answer within this bound is reported as
	// down instead of leaving the server hanging at start.
	pingCtx, cancel := context.WithTimeout(ctx, openTimeout)
	defer cancel()
	if err := db.Ping(pingCtx); err != nil {
		db.Close()
		return nil, err
	}
	return db, nil
}

// openTimeout bounds the first contact with the database in Open.
const openTimeout = 30 * time.Second

func openPostgres(dsn string, opts Options) (*DB, error) {
	pool, err := sql.Open("pgx", dsn)
	if err != nil {
		return nil, fmt.Errorf("database: open postgres: %w", err)
	}
	n := opts.MaxOpenConns
	if n <= 0 {
		n = 4 * runtime.GOMAXPROCS(0)
	}
	pool.SetMaxOpenConns(n)
	pool.SetMaxIdleConns(n)
	life := opts.ConnMaxLifetime
	if life <= 0 {
		life = 30 * time.Minute
	}
	pool.SetConnMaxLifetime(life)
	return &DB{dialect: Postgres, write: pool, read: pool}, nil
}

// sqlitePragmas are applied by the driver on every new connection; see the
// package comment for why each is set.
const sqlitePragmas = "_busy_timeout=10000&_journal_mode=WAL&_synchronous=FULL&_foreign_keys=1"

func openSQLite(path string, opts Options) (*DB, error) {
	path = strings.TrimPrefix(path, "sqlite://")
	if path == "" {
		return nil, fmt.Errorf("database: empty SQLite path")
	}
	if path == ":memory:" || strings.HasPrefix(path, "file:") {
		// Each connection would get its own in-memory database, and the
		// reader and writer pools would not see each other's data.
		return nil, fmt.Errorf("database: SQLite needs a file path, not %q (use a temporary directory in tests)", path)
	}
	if strings.ContainsAny(path, "?#") {
		return nil, fmt.Errorf("database: SQLite path %q must not contain '?' or '#'", path)
	}
	if dir := filepath.Dir(path); dir != "" {
		if err := os.MkdirAll(dir, 0o700); err != nil {
			return nil, fmt.Errorf("database: create data directory: %w", err)
		}
	}
	if err := restrictSQLiteFiles(path); err != nil {
		return nil, err
	}
	base := "file:" + (&url.URL{Path: path}).EscapedPath() + "?" + sqlitePragmas
	write, err := sql.Open("sqlite", base+"&_txlock=immediate")
	if err != nil {
		return nil, fmt.Errorf("database: open sqlite %s: %w", path, err)
	}
	// One writer: SQLite allows one write transaction at a time anyway, and
	// queueing in database/sql is cheaper and fairer than busy-waiting.
	write.SetMaxOpenConns(1)
	write.SetMaxIdleConns(1)
	write.SetConnMaxLifetime(0)
	read, err := sql.Open("sqlite", base+"&_query_only=1")
	if err != nil {
		write.Close()
		return nil, fmt.Errorf("database: open sqlite %s: %w", path, err)
	}
	n := opts.MaxOpenConns
	if n <= 0 {
		n = max(4, 2*runtime.GOMAXPROCS(0))
	}
	read.SetMaxOpenConns(n)
	read.SetMaxIdleConns(n)
	read.SetConnMaxLifetime(0)
	return &DB{dialect: SQLite, write: write, read: read,
		readStmts: newStmtCache(read), commit: newCommitter(write, SQLite)}, nil
}

// Dialect returns the database's dialect.
func (db *DB) Dialect() Dialect { return db.dialect }

// Writer returns the pool that runs writes (and every query of PostgreSQL).
func (db *DB) Writer() *sql.DB { return db.write }

// Reader returns the pool that runs reads outside transactions.
func (db *DB) Reader() *sql.DB { return db.read }

// Ping checks that both pools answer.
func (db *DB) Ping(ctx context.Context) error {
	if err := db.write.PingContext(ctx); err != nil {
		return fmt.Errorf("database: ping %s: %w", db.dialect, err)
	}
	if db.read != db.write {
		if err := db.read.PingContext(ctx); err != nil {
			return fmt.Errorf("database: ping %s reader: %w", db.dialect, err)
		}
	}
	return nil
}

// Close closes the pools.
func (db *DB) Close() error {
	if db.commit != nil {
		db.commit.close()
	}
	if db.readStmts != nil {
		db.readStmts.close()
	}
	err := db.write.Close()
	if db.read != db.write {
		if rerr := db.read.Close(); err == nil {
			err = rerr
		}
	}
	return err
}

// PoolStats are the figures of one connection pool, for metrics.
type PoolStats struct {
	Pool string // "main" for PostgreSQL, "write" or "read" for SQLite
	sql.DBStats
}

// Stats returns the figures of every pool.
func (db *DB) Stats() []PoolStats {
	if db.read == db.write {
		return []PoolStats{{Pool: "main", DBStats: db.write.Stats()}}
	}
	return []PoolStats{{Pool: "write", DBStats: db.write.Stats()}, {Pool: "read", DBStats: db.read.Stats()}}
}

// restrictSQLiteFiles makes the database file, and its WAL and shared
// memory files when present, readable by this user only (0600). The
// database is created empty here, with that mode, because SQLite gives the
// -wal and -shm files it creates later the database file's own mode: so
// they are 0600 too, whatever the umask.
func restrictSQLiteFiles(path string) error {
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return fmt.Errorf("database: open %s: %w", path, err)
	}
	f.Close()
	for _, p := range []string{path, path + "-wal", path + "-shm"} {
		if err := os.Chmod(p, 0o600); err != nil && !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("database: restricting %s to its owner: %w", p, err)
		}
	}
	return nil
}

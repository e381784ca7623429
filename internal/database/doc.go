// Package database owns every difference between the two SQL databases
// Capsule runs on: SQLite (the embedded default, through the pure-Go
// modernc.org/sqlite driver, so the binary needs no cgo) and PostgreSQL
// (through pgx's database/sql adapter). It opens the connection pools,
// rewrites `?` placeholders into PostgreSQL's `$n`, classifies driver errors
// (unique violation, foreign-key violation, retryable contention), runs
// transactions with bounded retries, and applies embedded, numbered
// migrations inside one transaction recorded in schema_migrations.
//
// The store above it writes one SQL text for both dialects: standard SQL with
// `?` placeholders, ON CONFLICT and RETURNING (both supported by SQLite 3.35+
// and PostgreSQL). Timestamps travel as fixed-width UTC text with microsecond
// precision (see Time) so that both dialects round-trip the same value.
//
// SQLite durability: every connection runs journal_mode=WAL, synchronous=FULL,
// foreign_keys=ON and busy_timeout=10s. WAL lets readers run while a write
// commits; synchronous=FULL makes SQLite fsync the WAL on every commit, so a
// transaction whose COMMIT returned survives kill -9 and power loss.
// (synchronous=NORMAL in WAL mode survives kill -9 of the process too, but can
// lose the last commits on power loss; a control plane's records are worth the
// extra fsync.) Writes go through a pool of exactly one connection with
// BEGIN IMMEDIATE, so writers queue in Go instead of failing with
// SQLITE_BUSY; reads go through a separate pool of query_only connections
// and run concurrently.
package database

package database

import (
	"errors"

	"github.com/jackc/pgx/v5/pgconn"
	"modernc.org/sqlite"
	sqlite3 "modernc.org/sqlite/lib"
)

// PostgreSQL SQLSTATE codes the store reacts to.
const (
	pgUniqueViolation      = "23505"
	pgForeignKeyViolation  = "23503"
	pgSerializationFailure = "40001"
	pgDeadlockDetected     = "40P01"
	pgLockNotAvailable     = "55P03"
	pgBadEncoding          = "22021" // character_not_in_repertoire: NUL or invalid UTF-8
	pgUntranslatable       = "22P05" // untranslatable_character: \u0000 in jsonb
)

// IsInvalidText reports whether err rejects a text value (ErrInvalidText, or
// PostgreSQL refusing a NUL character).
func IsInvalidText(err error) bool {
	if errors.Is(err, ErrInvalidText) {
		return true
	}
	if pg, ok := asPg(err); ok {
		return pg.Code == pgBadEncoding || pg.Code == pgUntranslatable
	}
	return false
}

// IsUniqueViolation reports whether err is a unique or primary-key
// constraint violation.
func IsUniqueViolation(err error) bool {
	if pg, ok := asPg(err); ok {
		return pg.Code == pgUniqueViolation
	}
	if code, ok := sqliteCode(err); ok {
		return code == sqlite3.SQLITE_CONSTRAINT_UNIQUE || code == sqlite3.SQLITE_CONSTRAINT_PRIMARYKEY
	}
	return false
}

// IsForeignKeyViolation reports whether err is a foreign-key violation: a
// row refers to a parent that does not exist.
func IsForeignKeyViolation(err error) bool {
	if pg, ok := asPg(err); ok {
		return pg.Code == pgForeignKeyViolation
	}
	if code, ok := sqliteCode(err); ok {
		return code == sqlite3.SQLITE_CONSTRAINT_FOREIGNKEY
	}
	return false
}

// IsRetryable reports whether err means the transaction lost a race and can
// simply be run again: SQLITE_BUSY/SQLITE_LOCKED, or a PostgreSQL
// serialization failure, deadlock or lock timeout.
func IsRetryable(err error) bool {
	if pg, ok := asPg(err); ok {
		switch pg.Code {
		case pgSerializationFailure, pgDeadlockDetected, pgLockNotAvailable:
			return true
		}
		return false
	}
	if code, ok := sqliteCode(err); ok {
		primary := code & 0xff // extended codes keep the primary code in the low byte
		return primary == sqlite3.SQLITE_BUSY || primary == sqlite3.SQLITE_LOCKED
	}
	return false
}

func asPg(err error) (*pgconn.PgError, bool) {
	var pg *pgconn.PgError
	ok := errors.As(err, &pg)
	return pg, ok
}

func sqliteCode(err error) (int, bool) {
	var se *sqlite.Error
	if errors.As(err, &se) {
		return se.Code(), true
	}
	return 0, false
}

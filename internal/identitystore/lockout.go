package identitystore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/usecapsule/capsule/internal/database"
)

// Lockout policy of issue 6: five failures lock an account (and, separately,
// a client IP) for fifteen minutes. Failures older than the window are
// forgotten, so a user who mistypes once a day is never locked out.
const (
	MaxLoginFailures = 5
	LockoutDuration  = 15 * time.Minute
	FailureWindow    = 15 * time.Minute
)

// LockedUntil returns when the lock on key ends, or the zero time when key
// is not locked at now.
func (s *Store) LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error) {
	var until database.Time
	err := s.queryRow(ctx, `SELECT locked_until FROM login_failures WHERE key = ?`, key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || !until.Valid || !now.Before(until.Time) {
		return time.Time{}, nil
	}
	return until.Time, dbErr(err, nil)
}

// RecordLoginFailure counts a failure for key and returns the lock end when
// this failure reached the limit (zero time otherwise).
func (s *Store) RecordLoginFailure(ctx context.Context, key string, now time.Time) (time.Time, error) {
	var locked time.Time
	err := s.inTx(ctx, func(tx *database.Tx) error {
		var failures int
		var first, until database.Time
		err := tx.QueryRow(ctx, `SELECT failures, first_at, locked_until FROM login_failures WHERE key = ?`, key).
			Scan(&failures, &first, &until)
		switch {
		case errors.Is(err, sql.ErrNoRows):
			failures, first = 0, database.TimeOf(now)
		case err != nil:
			return err
		case now.Sub(first.Time) > FailureWindow && !(until.Valid && now.Before(until.Time)):
			failures, first = 0, database.TimeOf(now) // the window passed: start counting afresh
		}
		failures++
		var lockArg database.Time
		if until.Valid && now.Before(until.Time) {
			lockArg = until // failures during a lock neither lift nor extend it
		}
		if failures >= MaxLoginFailures {
			locked = now.Add(LockoutDuration)
			lockArg = database.TimeOf(locked)
			failures = 0 // counting restarts after the lock
		}
		_, err = tx.Exec(ctx, `DELETE FROM login_failures WHERE key = ?`, key)
		if err == nil {
			_, err = tx.Exec(ctx, `INSERT INTO login_failures (key, failures, first_at, locked_until) VALUES (?, ?, ?, ?)`,
				key, failures, first, lockArg)
		}
		return err
	})
	return locked, dbErr(err, nil)
}

// ClearLoginFailures forgets key's failures after a successful sign-in.
// An active lock stays: a correct password during a lockout does not lift it.
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.exec(ctx, `DELETE FROM login_failures WHERE key = ? AND locked_until IS NULL`, key)
	return dbErr(err, nil)
}

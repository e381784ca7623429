package identitystore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/usecapsule/capsule/internal/identity"
	"time"

	"github.com/usecapsule/capsule/internal/database"
)

// FailureWindow is how long failed sign-ins are remembered: failures older
// than the window (counted from the first failure or from the end of the
// last delay, whichever is later) are forgotten, so a user who mistypes
// once a day never meets a delay.
const FailureWindow = 15 * time.Minute

// Throttle is a sign-in failure policy (identity.Throttle).
type Throttle = identity.Throttle

// LockedUntil returns when the delay on key ends, or the zero time when key
// may try at now.
func (s *Store) LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error) {
	var until database.Time
	err := s.queryRow(ctx, `SELECT locked_until FROM login_failures WHERE key = ?`, key).Scan(&until)
	if errors.Is(err, sql.ErrNoRows) || !until.Valid || !now.Before(until.Time) {
		return time.Time{}, nil
	}
	return until.Time, database.DomainError(err, nil)
}

// RecordLoginFailure counts a failure for key under th and returns when the
// delay it causes ends (zero time when it causes none).
func (s *Store) RecordLoginFailure(ctx context.Context, key string, now time.Time, th Throttle) (time.Time, error) {
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
		case until.Valid && now.Before(until.Time):
			// A failure during a delay (another replica let it through)
			// counts but neither lifts nor extends the running delay.
		case now.Sub(later(first, until)) > FailureWindow:
			failures, first, until = 0, database.TimeOf(now), database.Time{} // quiet long enough: start afresh
		}
		failures++
		lockArg := until
		if d := th.Delay(failures); d > 0 && !(until.Valid && now.Before(until.Time)) {
			locked = now.Add(d)
			lockArg = database.TimeOf(locked)
		}
		_, err = tx.Exec(ctx, `DELETE FROM login_failures WHERE key = ?`, key)
		if err == nil {
			_, err = tx.Exec(ctx, `INSERT INTO login_failures (key, failures, first_at, locked_until) VALUES (?, ?, ?, ?)`,
				key, failures, first, lockArg)
		}
		return err
	})
	return locked, database.DomainError(err, nil)
}

func later(a, b database.Time) time.Time {
	if b.Valid && b.Time.After(a.Time) {
		return b.Time
	}
	return a.Time
}

// ClearLoginFailures forgets key's failures after a successful sign-in
// (which the API only lets through when key has no running delay).
func (s *Store) ClearLoginFailures(ctx context.Context, key string) error {
	_, err := s.exec(ctx, `DELETE FROM login_failures WHERE key = ?`, key)
	return database.DomainError(err, nil)
}

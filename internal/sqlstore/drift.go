package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"time"

	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/jobs"
)

// DriftRecord is an environment's last drift check: when it ran, whether
// the environment was in sync, and its drifted objects (JSON).
type DriftRecord struct {
	EnvironmentID string
	CheckedAt     time.Time
	InSync        bool
	Summary       []byte
}

// DriftClaim is a held drift check lease: the token the check's write
// must name, and the record as it stood (nil before the first check).
type DriftClaim struct {
	Token    int64
	Previous *DriftRecord
}

// ClaimDriftCheck takes the drift check lease of environment envID for
// owner until now+lease, when nobody holds it and the last check is at
// least every old; nil, without error, otherwise (another replica checks
// it, or it is not due).
func (s *Store) ClaimDriftCheck(ctx context.Context, envID, owner string, now time.Time, every, lease time.Duration) (*DriftClaim, error) {
	cid, ok := database.CanonicalID(envID)
	if !ok {
		return nil, nil
	}
	var c *DriftClaim
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.Exec(ctx, "INSERT INTO environment_drift (environment_id) VALUES (?) ON CONFLICT (environment_id) DO NOTHING", cid); err != nil {
			return err
		}
		var (
			token   int64
			checked database.Time
			inSync  sql.NullBool
			summary string
		)
		err := tx.QueryRow(ctx, "UPDATE environment_drift SET lease_owner = ?, lease_until = ?, token = token + 1 "+
			"WHERE environment_id = ? AND (lease_until IS NULL OR lease_until < ?) AND (checked_at IS NULL OR checked_at <= ?) "+
			"RETURNING token, checked_at, in_sync, summary",
			owner, database.TimeOf(now.Add(lease)), cid, database.TimeOf(now), database.TimeOf(now.Add(-every))).Scan(&token, &checked, &inSync, &summary)
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		c = &DriftClaim{Token: token}
		if checked.Valid && inSync.Valid {
			c.Previous = &DriftRecord{EnvironmentID: cid, CheckedAt: checked.Time, InSync: inSync.Bool, Summary: []byte(summary)}
		}
		return nil
	})
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	return c, nil
}

// SaveDriftCheck stores rec as the environment's last check and ends the
// lease token names; jobs.ErrLeaseLost when the lease was taken over. An
// audit unit carried by ctx commits with it.
func (s *Store) SaveDriftCheck(ctx context.Context, token int64, rec DriftRecord) error {
	return s.endDriftLease(ctx, rec.EnvironmentID, token, &rec)
}

// ReleaseDriftCheck ends the lease without a result (the check could not
// compare), so the next tick tries again.
func (s *Store) ReleaseDriftCheck(ctx context.Context, envID string, token int64) error {
	return s.endDriftLease(ctx, envID, token, nil)
}

func (s *Store) endDriftLease(ctx context.Context, envID string, token int64, rec *DriftRecord) error {
	cid, ok := database.CanonicalID(envID)
	if !ok {
		return jobs.ErrLeaseLost
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		var (
			res sql.Result
			err error
		)
		if rec == nil {
			res, err = tx.Exec(ctx, "UPDATE environment_drift SET lease_owner = '', lease_until = NULL WHERE environment_id = ? AND token = ?", cid, token)
		} else {
			res, err = tx.Exec(ctx, "UPDATE environment_drift SET checked_at = ?, in_sync = ?, summary = ?, lease_owner = '', lease_until = NULL "+
				"WHERE environment_id = ? AND token = ?", database.TimeOf(rec.CheckedAt), rec.InSync, string(rec.Summary), cid, token)
		}
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return jobs.ErrLeaseLost
		}
		return nil
	})
	if errors.Is(err, jobs.ErrLeaseLost) {
		return err
	}
	return database.DomainError(err, nil)
}

// FindDriftCheck returns the environment's last drift check; nil, without
// error, before the first one.
func (s *Store) FindDriftCheck(ctx context.Context, envID string) (*DriftRecord, error) {
	cid, ok := database.CanonicalID(envID)
	if !ok {
		return nil, nil
	}
	var (
		checked database.Time
		inSync  sql.NullBool
		summary string
	)
	err := s.db.QueryRow(ctx, "SELECT checked_at, in_sync, summary FROM environment_drift WHERE environment_id = ?", cid).Scan(&checked, &inSync, &summary)
	if errors.Is(err, sql.ErrNoRows) || (err == nil && (!checked.Valid || !inSync.Valid)) {
		return nil, nil
	}
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	return &DriftRecord{EnvironmentID: cid, CheckedAt: checked.Time, InSync: inSync.Bool, Summary: []byte(summary)}, nil
}

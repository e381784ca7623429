package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"time"

	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/jobs"
)

// claimable selects the next job a runner may take: the first queued job of
// a key where nothing runs and nothing was queued earlier, or a running job
// whose lease expired (its holder stopped or lost the database). On
// PostgreSQL concurrent runners skip each other's candidates (SKIP LOCKED);
// SQLite has one writer, so claims are serial anyway.
const claimable = "SELECT " + jobColumns + " FROM jobs j WHERE j.kind IN (%s) AND (" +
	"(j.status = 'queued' AND NOT EXISTS (SELECT 1 FROM jobs o WHERE o.serial_key = j.serial_key AND " +
	"(o.status = 'running' OR (o.status = 'queued' AND o.position < j.position)))) " +
	"OR (j.status = 'running' AND j.lease_expires_at < ?)) ORDER BY j.position LIMIT 1"

// maxSettle bounds the expired jobs one Claim ends (cancelled or out of
// attempts) before it gives up for this round.
const maxSettle = 16

// Claim takes the next runnable job of one of kinds for owner.
func (s *JobStore) Claim(ctx context.Context, owner string, kinds []string, lease time.Duration) (*jobs.Lease, error) {
	if len(kinds) == 0 {
		return nil, nil
	}
	q := fmt.Sprintf(claimable, database.Placeholders(len(kinds)))
	if s.db.Dialect() == database.Postgres {
		q += " FOR UPDATE OF j SKIP LOCKED"
	}
	for range maxSettle {
		l, settled, err := s.claimOnce(ctx, q, owner, kinds, lease)
		if err != nil || !settled {
			return l, err
		}
	}
	return nil, nil
}

// claimOnce claims one candidate; settled is true when the candidate was
// ended instead (an expired job whose cancel was requested or whose
// attempts are used up) or another runner took it first, so the caller
// looks again.
func (s *JobStore) claimOnce(ctx context.Context, q, owner string, kinds []string, lease time.Duration) (l *jobs.Lease, settled bool, err error) {
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		l, settled = nil, false
		now := database.Now()
		args := make([]any, 0, len(kinds)+1)
		for _, k := range kinds {
			args = append(args, k)
		}
		args = append(args, database.TimeOf(now))
		j, err := scanJob(tx.QueryRow(ctx, q, args...))
		if errors.Is(err, sql.ErrNoRows) {
			return nil
		}
		if err != nil {
			return err
		}
		if j.Status == jobs.Running {
			if end, msg := expiredEnd(j); end != "" {
				settled = true
				_, err := tx.Exec(ctx, "UPDATE jobs SET status = ?, last_error = ?, finished_at = ?, updated_at = ?, lease_expires_at = NULL "+
					"WHERE id = ? AND token = ? AND status = 'running'", string(end), msg, database.TimeOf(now), database.TimeOf(now), j.ID, j.Token)
				return err
			}
		}
		// The update repeats the claim's conditions on the row as it is
		// now: on PostgreSQL the candidate was read in the statement's
		// snapshot, and another runner may have claimed (or even finished)
		// it since; its token or status then differ and nothing changes.
		until := database.TimeOf(now.Add(lease))
		j, err = scanJob(tx.QueryRow(ctx, "UPDATE jobs SET status = 'running', attempts = attempts + 1, token = token + 1, "+
			"lease_owner = ?, lease_expires_at = ?, started_at = COALESCE(started_at, ?), updated_at = ? "+
			"WHERE id = ? AND token = ? AND (status = 'queued' OR (status = 'running' AND lease_expires_at < ?)) RETURNING "+jobColumns,
			owner, until, database.TimeOf(now), database.TimeOf(now), j.ID, j.Token, database.TimeOf(now)))
		if errors.Is(err, sql.ErrNoRows) {
			settled = true // lost the race for this one: look again
			return nil
		}
		if err != nil {
			return err
		}
		l = &jobs.Lease{Job: j, Owner: owner, Token: j.Token}
		return nil
	})
	if err != nil && database.IsUniqueViolation(err) {
		// Another runner started a job of the same key in the meantime:
		// the database's one-running-per-key index refused this claim.
		return nil, false, nil
	}
	return l, settled, err
}

// expiredEnd decides the end of a running job whose lease expired instead
// of running it again: cancelled when its cancel was requested, failed when
// its attempts are used up; "" to claim it.
func expiredEnd(j *jobs.Job) (jobs.Status, string) {
	switch {
	case j.CancelRequested:
		return jobs.Cancelled, "cancelled while its runner was gone"
	case j.Attempts >= j.MaxAttempts:
		return jobs.Failed, fmt.Sprintf("abandoned: its runner stopped or lost the database %d times (lease expired)", j.Attempts)
	}
	return "", ""
}

// Renew extends l's lease when l's token is still the job's.
func (s *JobStore) Renew(ctx context.Context, l *jobs.Lease, lease time.Duration) (bool, error) {
	var requested bool
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		now := database.Now()
		return tx.QueryRow(ctx, "UPDATE jobs SET lease_expires_at = ?, updated_at = ? WHERE id = ? AND token = ? AND status = 'running' "+
			"RETURNING cancel_requested", database.TimeOf(now.Add(lease)), database.TimeOf(now), l.Job.ID, l.Token).Scan(&requested)
	})
	if errors.Is(err, sql.ErrNoRows) {
		return false, jobs.ErrLeaseLost
	}
	return requested, err
}

// Finish ends l's job when l's token is still the job's.
func (s *JobStore) Finish(ctx context.Context, l *jobs.Lease, status jobs.Status, message string) error {
	if !status.Final() {
		return fmt.Errorf("jobs: finish with %q: not a final status", status)
	}
	if !database.ValidText(message) {
		message = fmt.Sprintf("%q", message) // an error text is kept, quoted, rather than lost
	}
	var n int64
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		now := database.TimeOf(database.Now())
		res, err := tx.Exec(ctx, "UPDATE jobs SET status = ?, last_error = ?, finished_at = ?, updated_at = ?, lease_expires_at = NULL "+
			"WHERE id = ? AND token = ? AND status = 'running'", string(status), message, now, now, l.Job.ID, l.Token)
		if err != nil {
			return err
		}
		n, err = res.RowsAffected()
		return err
	})
	if err != nil {
		return err
	}
	if n == 0 {
		return jobs.ErrLeaseLost
	}
	return nil
}

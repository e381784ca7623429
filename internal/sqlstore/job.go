package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/jobs"
)

// JobStore keeps the durable operations of internal/jobs in the store's
// database (see job_claim.go for claims, leases and the fence).
type JobStore struct {
	db *database.DB
}

var _ jobs.Store = (*JobStore)(nil)

// Jobs returns the job store on the store's database.
func (s *Store) Jobs() *JobStore { return &JobStore{db: s.db} }

const jobColumns = "id, kind, serial_key, subject, payload, status, attempts, max_attempts, token, lease_owner, " +
	"lease_expires_at, cancel_requested, last_error, created_at, updated_at, started_at, finished_at"

func scanJob(r rowScanner) (*jobs.Job, error) {
	var (
		j                                   jobs.Job
		payload, status                     string
		expires, created, updated, st, done database.Time
	)
	err := r.Scan(&j.ID, &j.Kind, &j.Key, &j.Subject, &payload, &status, &j.Attempts, &j.MaxAttempts, &j.Token,
		&j.LeaseOwner, &expires, &j.CancelRequested, &j.LastError, &created, &updated, &st, &done)
	if err != nil {
		return nil, err
	}
	j.Payload, j.Status = json.RawMessage(payload), jobs.Status(status)
	j.LeaseExpiresAt, j.CreatedAt, j.UpdatedAt, j.StartedAt, j.FinishedAt = expires.Ptr(), created.Time, updated.Time, st.Ptr(), done.Ptr()
	return &j, nil
}

// Enqueue records j as a new queued job, in its own transaction (which the
// request's audit hook joins).
func (s *JobStore) Enqueue(ctx context.Context, j *jobs.Job) error {
	return s.db.InTx(ctx, func(tx *database.Tx) error { return s.EnqueueTx(ctx, tx, j) })
}

// EnqueueTx records j inside tx, so a caller can commit the job with the
// record it is about (a deployment) in one transaction.
func (s *JobStore) EnqueueTx(ctx context.Context, tx *database.Tx, j *jobs.Job) error {
	if err := checkJob(j); err != nil {
		return err
	}
	n := *j
	n.ID, n.Status, n.Attempts, n.Token, n.CancelRequested = database.NewID(), jobs.Queued, 0, 0, false
	n.CreatedAt = database.Now()
	n.UpdatedAt, n.LeaseOwner, n.LeaseExpiresAt, n.StartedAt, n.FinishedAt, n.LastError = n.CreatedAt, "", nil, nil, nil, ""
	if len(n.Payload) == 0 {
		n.Payload = json.RawMessage("{}")
	}
	if n.MaxAttempts <= 0 {
		n.MaxAttempts = jobs.DefaultMaxAttempts
	}
	_, err := tx.Exec(ctx, "INSERT INTO jobs (id, kind, serial_key, subject, payload, status, max_attempts, created_at, updated_at) "+
		"VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)", n.ID, n.Kind, n.Key, n.Subject, string(n.Payload), string(n.Status), n.MaxAttempts,
		database.TimeOf(n.CreatedAt), database.TimeOf(n.UpdatedAt))
	if err != nil {
		return fmt.Errorf("jobs: enqueue %s job: %w", n.Kind, err)
	}
	*j = n
	return nil
}

// checkJob refuses a job the store could not keep or a runner could not
// route, naming the field.
func checkJob(j *jobs.Job) error {
	switch {
	case j.Kind == "":
		return errors.New("jobs: a job needs a kind")
	case j.Key == "":
		return errors.New("jobs: a job needs a serialization key")
	case len(j.Payload) > 0 && !json.Valid(j.Payload):
		return errors.New("jobs: the payload is not valid JSON")
	}
	for _, s := range []string{j.Kind, j.Key, j.Subject, string(j.Payload)} {
		if !database.ValidText(s) {
			return fmt.Errorf("jobs: kind, key, subject and payload must be valid UTF-8 without NUL bytes: %w", database.ErrInvalidText)
		}
	}
	return nil
}

// Get returns the job with id.
func (s *JobStore) Get(ctx context.Context, id string) (*jobs.Job, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, jobs.ErrNotFound
	}
	j, err := scanJob(s.db.QueryRow(ctx, "SELECT "+jobColumns+" FROM jobs WHERE id = ?", cid))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, jobs.ErrNotFound
	}
	return j, err
}

// BySubject returns the newest job of kind about subject.
func (s *JobStore) BySubject(ctx context.Context, kind, subject string) (*jobs.Job, error) {
	j, err := scanJob(s.db.QueryRow(ctx, "SELECT "+jobColumns+" FROM jobs WHERE kind = ? AND subject = ? ORDER BY position DESC LIMIT 1", kind, subject))
	if errors.Is(err, sql.ErrNoRows) || database.IsInvalidText(err) {
		return nil, jobs.ErrNotFound
	}
	return j, err
}

// Ahead returns the job the job with id waits behind: the running job of
// its key, else the queued job just before it; nil when it is next, running
// or finished.
func (s *JobStore) Ahead(ctx context.Context, id string) (*jobs.Job, error) {
	j, err := s.Get(ctx, id)
	if err != nil || j.Status != jobs.Queued {
		return nil, err
	}
	q := "SELECT " + jobColumns + " FROM jobs WHERE serial_key = ? AND (status = 'running' OR " +
		"(status = 'queued' AND position < (SELECT position FROM jobs WHERE id = ?))) " +
		"ORDER BY CASE WHEN status = 'running' THEN 0 ELSE 1 END, position DESC LIMIT 1"
	a, err := scanJob(s.db.QueryRow(ctx, q, j.Key, j.ID))
	if errors.Is(err, sql.ErrNoRows) {
		return nil, nil
	}
	return a, err
}

// Cancel cancels a queued job at once and flags a running one, whose holder
// cancels its handler at the next heartbeat.
func (s *JobStore) Cancel(ctx context.Context, id string) (*jobs.Job, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, jobs.ErrNotFound
	}
	var out *jobs.Job
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		j, err := scanJob(tx.QueryRow(ctx, "SELECT "+jobColumns+" FROM jobs WHERE id = ?", cid))
		if errors.Is(err, sql.ErrNoRows) {
			return jobs.ErrNotFound
		}
		if err != nil {
			return err
		}
		now := database.TimeOf(database.Now())
		switch {
		case j.Status.Final():
			return jobs.ErrFinished
		case j.Status == jobs.Queued:
			out, err = scanJob(tx.QueryRow(ctx, "UPDATE jobs SET status = 'cancelled', cancel_requested = TRUE, last_error = ?, "+
				"finished_at = ?, updated_at = ? WHERE id = ? RETURNING "+jobColumns, "cancelled before it started", now, now, cid))
		default:
			out, err = scanJob(tx.QueryRow(ctx, "UPDATE jobs SET cancel_requested = TRUE, updated_at = ? WHERE id = ? RETURNING "+jobColumns, now, cid))
		}
		return err
	})
	if err != nil {
		return nil, err
	}
	return out, nil
}

// Package jobs runs durable operations (a deploy, later a backup or a
// promotion) exactly once across every replica of the control plane. A job
// is a row in the database: enqueued inside the request that asks for it (so
// it commits with the request's audit entry), claimed by one Runner with a
// lease the runner renews while the job's handler runs, and finished with a
// write that names the fencing token of its claim.
//
// Design decisions:
//   - Serialization key: at most one job per key runs at a time (e.g.
//     "service:<id>/env:<id>"), and later jobs of the key QUEUE behind it in
//     the order they were enqueued; none is refused or merged. The API can
//     tell the caller what a job waits for (Store.Ahead: "queued behind
//     deployment X"). The database enforces it too: a unique index allows
//     one running job per key.
//   - Fencing: every claim increments the job's token; renewing and
//     finishing name it (UPDATE ... WHERE id = ? AND token = ?). A holder
//     that lost its lease (paused, partitioned, its lease expired and another
//     runner claimed the job) gets ErrLeaseLost and changes nothing.
//   - Resume: a running job whose lease expired is claimed again by any
//     runner, including a restarted process, and its handler runs again;
//     handlers must therefore be idempotent (the deploy engine's server-side
//     apply is). A job whose lease expired MaxAttempts times is failed
//     instead of being run again, so a job that crashes its process cannot
//     crash every replica in turn.
//   - Cancel: a queued job is cancelled at once; a running one gets its
//     cancel flag set and its holder cancels the handler's context at its
//     next heartbeat. A handler that still returns nil succeeded.
//   - A handler's error fails the job (no automatic retry: a failed deploy
//     is for a person to look at). Stopping a runner (its Run context ends)
//     writes nothing, exactly like a crash: the leases expire and the jobs
//     resume elsewhere, so a stop and a crash take the same, tested path.
//   - Leases are compared with the claiming process's clock: replicas need
//     clocks synchronised well within the lease (NTP does that).
package jobs

import (
	"context"
	"encoding/json"
	"errors"
	"time"
)

// Status is where a job is in its life.
type Status string

// The statuses of a job. Queued and Running are active; the others are
// final.
const (
	Queued    Status = "queued"
	Running   Status = "running"
	Succeeded Status = "succeeded"
	Failed    Status = "failed"
	Cancelled Status = "cancelled"
)

// Final reports whether s ends a job.
func (s Status) Final() bool { return s == Succeeded || s == Failed || s == Cancelled }

// DefaultMaxAttempts bounds the claims of a job whose enqueuer set none.
const DefaultMaxAttempts = 3

// Job is one durable operation.
type Job struct {
	ID string `json:"id"`
	// Kind picks the handler, e.g. "deploy".
	Kind string `json:"kind"`
	// Key serializes: one job per key runs at a time, the others wait in
	// enqueue order.
	Key string `json:"key"`
	// Subject names what the job acts on for people and the API, e.g. the
	// deployment's id ("queued behind deployment X").
	Subject string          `json:"subject,omitempty"`
	Payload json.RawMessage `json:"payload"`
	Status  Status          `json:"status"`
	// Attempts counts the claims; MaxAttempts bounds the claims after an
	// expired lease.
	Attempts    int `json:"attempts"`
	MaxAttempts int `json:"maxAttempts"`
	// Token is the fencing token of the current (or last) claim.
	Token           int64      `json:"token"`
	LeaseOwner      string     `json:"leaseOwner,omitempty"`
	LeaseExpiresAt  *time.Time `json:"leaseExpiresAt,omitempty"`
	CancelRequested bool       `json:"cancelRequested"`
	LastError       string     `json:"lastError,omitempty"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedAt       time.Time  `json:"updatedAt"`
	StartedAt       *time.Time `json:"startedAt,omitempty"`
	FinishedAt      *time.Time `json:"finishedAt,omitempty"`
}

// Errors of the store and the runner.
var (
	// ErrLeaseLost: the job was claimed again since this holder's claim (or
	// finished, or its row is gone); the holder must stop and write nothing.
	ErrLeaseLost = errors.New("jobs: lease lost: another runner holds the job now")
	// ErrNotFound: no job has that id.
	ErrNotFound = errors.New("jobs: no such job")
	// ErrFinished: the job already ended, so it cannot be cancelled.
	ErrFinished = errors.New("jobs: the job already finished")
)

// Lease is what a claim holds: the job and the token its writes name.
type Lease struct {
	Job   *Job
	Owner string
	Token int64
}

// Store keeps jobs. internal/sqlstore's JobStore implements it over SQLite
// and PostgreSQL.
type Store interface {
	// Enqueue records a new queued job (ID, Status, Attempts, Token and the
	// times are set by the store). It runs under ctx's transaction hook, so
	// inside an audited request the job commits with the audit entry.
	Enqueue(ctx context.Context, j *Job) error
	// Get returns the job with id, or ErrNotFound.
	Get(ctx context.Context, id string) (*Job, error)
	// BySubject returns the newest job of kind about subject (the deploy
	// job of a deployment), or ErrNotFound.
	BySubject(ctx context.Context, kind, subject string) (*Job, error)
	// Ahead returns the job that j waits behind: the running job of its
	// key, else the queued one just before it; nil when j is next or done.
	Ahead(ctx context.Context, id string) (*Job, error)
	// Cancel cancels a queued job at once and flags a running one for its
	// holder; ErrFinished for a job that ended, ErrNotFound for none.
	Cancel(ctx context.Context, id string) (*Job, error)
	// Claim takes the next runnable job of one of kinds for owner for
	// lease: the first queued job of a key with nothing running, or a
	// running job whose lease expired. nil, nil when there is none.
	Claim(ctx context.Context, owner string, kinds []string, lease time.Duration) (*Lease, error)
	// Renew extends l's lease and reports whether a cancel was requested;
	// ErrLeaseLost when l's token is no longer the job's.
	Renew(ctx context.Context, l *Lease, lease time.Duration) (cancelRequested bool, err error)
	// Finish ends l's job with status (Succeeded, Failed or Cancelled) and
	// message as its last error; ErrLeaseLost when l's token is no longer
	// the job's.
	Finish(ctx context.Context, l *Lease, status Status, message string) error
}

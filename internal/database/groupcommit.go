package database

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"math/rand/v2"
	"sync"
	"time"
)

// Group commit for SQLite. With synchronous=FULL every COMMIT waits for an
// fsync of the WAL (about 2 ms on this project's reference machine), so one
// transaction per commit caps a single-writer database at a few hundred
// writes per second. The committer runs the write transactions that arrive
// while a commit is in progress together: one BEGIN IMMEDIATE, each
// caller's function inside its own SAVEPOINT, one COMMIT and one fsync for
// the batch. A function that fails is rolled back to its savepoint and only
// its caller sees the error; the others commit. Alone, a transaction costs
// what it did before plus a channel hand-off.

// ErrClosed is returned by InTx after Close.
var ErrClosed = errors.New("database: closed")

// maxBatch bounds the transactions of one group commit.
const maxBatch = 64

type txRequest struct {
	ctx  context.Context
	fn   func(tx *Tx) error
	done chan error
}

// panicError carries a panic of a transaction function back to its caller.
type panicError struct{ value any }

// Error implements error; the committer never shows it, do re-panics.
func (p panicError) Error() string { return fmt.Sprintf("panic in transaction: %v", p.value) }

type committer struct {
	pool    *sql.DB
	dialect Dialect
	reqs    chan *txRequest // unbuffered: a request is either taken or refused, never stranded
	stop    chan struct{}
	stopped chan struct{}
	once    sync.Once
}

func newCommitter(pool *sql.DB, d Dialect) *committer {
	c := &committer{pool: pool, dialect: d, reqs: make(chan *txRequest),
		stop: make(chan struct{}), stopped: make(chan struct{})}
	go c.run()
	return c
}

// close stops the committer after its current batch; closing twice is fine.
func (c *committer) close() {
	c.once.Do(func() { close(c.stop) })
	<-c.stopped
}

// do runs fn in the next group commit and waits for its outcome. It waits
// even when ctx ends meanwhile: once taken, fn may already be committed.
func (c *committer) do(ctx context.Context, fn func(tx *Tx) error) error {
	r := &txRequest{ctx: ctx, fn: fn, done: make(chan error, 1)}
	select {
	case c.reqs <- r:
	case <-ctx.Done():
		return ctx.Err()
	case <-c.stop:
		return ErrClosed
	}
	err := <-r.done
	if p, ok := err.(panicError); ok {
		panic(p.value)
	}
	return err
}

func (c *committer) run() {
	defer close(c.stopped)
	for {
		var batch []*txRequest
		select {
		case r := <-c.reqs:
			batch = append(batch, r)
		case <-c.stop:
			return
		}
	drain:
		for len(batch) < maxBatch {
			select {
			case r := <-c.reqs:
				batch = append(batch, r)
			default:
				break drain
			}
		}
		c.commit(batch)
	}
}

// commit runs a batch, retrying it whole when SQLite reports contention
// (another process holding the write lock), and answers every request.
func (c *committer) commit(batch []*txRequest) {
	var (
		results []error
		err     error
	)
	for attempt := 1; attempt <= maxAttempts; attempt++ {
		results, err = c.try(batch)
		if err == nil || !IsRetryable(err) {
			break
		}
		time.Sleep(time.Duration(attempt) * time.Duration(1+rand.IntN(5)) * time.Millisecond)
	}
	for i, r := range batch {
		if err != nil {
			r.done <- err
		} else {
			r.done <- results[i]
		}
	}
}

// try runs the batch in one transaction. The returned error fails the whole
// batch (nothing was committed); results hold each function's own error.
func (c *committer) try(batch []*txRequest) ([]error, error) {
	sqlTx, err := c.pool.BeginTx(context.Background(), nil)
	if err != nil {
		return nil, err
	}
	tx := &Tx{tx: sqlTx, dialect: c.dialect, shared: true}
	results := make([]error, len(batch))
	for i, r := range batch {
		if results[i] = r.ctx.Err(); results[i] != nil {
			continue
		}
		if results[i], err = runSavepoint(r, tx); err != nil {
			_ = sqlTx.Rollback()
			return nil, err
		}
	}
	if err := sqlTx.Commit(); err != nil {
		return nil, err
	}
	return results, nil
}

// runSavepoint runs one request's function inside a savepoint. fnErr is
// the function's own failure (its writes are undone); batchErr means the
// transaction itself is unusable or lost a race.
func runSavepoint(r *txRequest, tx *Tx) (fnErr, batchErr error) {
	ctx := context.Background()
	if _, err := tx.tx.ExecContext(ctx, "SAVEPOINT capsule_tx"); err != nil {
		return nil, err
	}
	fnErr = callSafely(r, tx)
	if fnErr != nil {
		if IsRetryable(fnErr) {
			return nil, fnErr
		}
		if _, err := tx.tx.ExecContext(ctx, "ROLLBACK TO capsule_tx"); err != nil {
			return nil, errors.Join(fnErr, err)
		}
	}
	if _, err := tx.tx.ExecContext(ctx, "RELEASE capsule_tx"); err != nil {
		return nil, err
	}
	return fnErr, nil
}

func callSafely(r *txRequest, tx *Tx) (err error) {
	defer func() {
		if v := recover(); v != nil {
			err = panicError{value: v}
		}
	}()
	return r.fn(tx)
}

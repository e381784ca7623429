package gitdelivery

import (
	"context"
	"sync"
)

// Outcome is one queued delivery's result.
type Outcome struct {
	Request GitDelivery
	Result  GitResult
	Err     error
}

// Queue runs many deliveries at once; the Deliverer bounds how many run
// against one host (Config.PerHost), so a burst of promotions neither
// floods a provider nor loses any: every submitted delivery ends in
// exactly one Outcome, rate limits being waited out by the provider
// client's back-off.
type Queue struct {
	d   *Deliverer
	ctx context.Context

	wg  sync.WaitGroup
	mu  sync.Mutex
	out []Outcome
}

// NewQueue returns a queue delivering through d until ctx ends.
func (d *Deliverer) NewQueue(ctx context.Context) *Queue { return &Queue{d: d, ctx: ctx} }

// Submit starts a delivery; it waits for its host's turn in the background.
func (q *Queue) Submit(req GitDelivery) {
	q.wg.Add(1)
	go func() {
		defer q.wg.Done()
		res, err := q.d.Deliver(q.ctx, req)
		q.mu.Lock()
		q.out = append(q.out, Outcome{Request: req, Result: res, Err: err})
		q.mu.Unlock()
	}()
}

// Wait returns every outcome once all submitted deliveries have ended, in
// the order they finished.
func (q *Queue) Wait() []Outcome {
	q.wg.Wait()
	q.mu.Lock()
	defer q.mu.Unlock()
	return append([]Outcome(nil), q.out...)
}

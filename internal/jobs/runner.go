package jobs

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"os"
	"slices"
	"sync"
	"time"
)

// Handler runs one job. Its context ends when the job's cancel is
// requested (cause ErrCancelRequested), when its lease is lost (cause
// ErrLeaseLost) or when the runner stops; context.Cause tells which.
// Returning nil succeeds the job; an error fails it, or cancels it when a
// cancel was requested.
type Handler func(ctx context.Context, j *Job) error

// ErrCancelRequested is the cause of a handler's context ending because the
// job's cancel was requested.
var ErrCancelRequested = errors.New("jobs: cancel requested")

// Defaults of RunnerOptions.
const (
	DefaultLease       = 30 * time.Second
	DefaultPoll        = time.Second
	DefaultConcurrency = 4
)

// RunnerOptions tune a Runner; zero values pick the defaults.
type RunnerOptions struct {
	// Owner names this runner in leases; default host-pid-random.
	Owner string
	// Lease is how long a claim holds without renewal (default 30 s);
	// Heartbeat how often it is renewed (default Lease/3). Cancel requests
	// are noticed at a heartbeat.
	Lease, Heartbeat time.Duration
	// Poll is how often an idle runner looks for work (default 1 s); Wake
	// makes it look at once.
	Poll time.Duration
	// Concurrency bounds the jobs this runner runs at once (default 4).
	Concurrency int
	Logger      *slog.Logger
	// OnFinish, when set, is told how each job this runner ran ended: the
	// status written, or the error that kept it from being written
	// (ErrLeaseLost when another runner holds the job now).
	OnFinish func(j *Job, status Status, err error)
}

// Runner claims jobs and runs the handler registered for their kind.
type Runner struct {
	store    Store
	opts     RunnerOptions
	log      *slog.Logger
	mu       sync.Mutex
	handlers map[string]Handler
	wake     chan struct{}
}

// NewRunner returns a runner over store; register handlers, then Run.
func NewRunner(store Store, opts RunnerOptions) (*Runner, error) {
	if opts.Lease <= 0 {
		opts.Lease = DefaultLease
	}
	if opts.Heartbeat <= 0 {
		opts.Heartbeat = opts.Lease / 3
	}
	if opts.Heartbeat >= opts.Lease {
		return nil, fmt.Errorf("jobs: heartbeat %s must be shorter than the lease %s, or every lease expires between renewals", opts.Heartbeat, opts.Lease)
	}
	if opts.Poll <= 0 {
		opts.Poll = DefaultPoll
	}
	if opts.Concurrency <= 0 {
		opts.Concurrency = DefaultConcurrency
	}
	if opts.Owner == "" {
		opts.Owner = defaultOwner()
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	return &Runner{store: store, opts: opts, log: log, handlers: map[string]Handler{}, wake: make(chan struct{}, 1)}, nil
}

func defaultOwner() string {
	host, _ := os.Hostname()
	var b [4]byte
	_, _ = rand.Read(b[:])
	return fmt.Sprintf("%s-%d-%s", host, os.Getpid(), hex.EncodeToString(b[:]))
}

// Owner returns the name this runner claims with.
func (r *Runner) Owner() string { return r.opts.Owner }

// Handle registers h for jobs of kind; registering after Run started is
// allowed, the next claim sees it.
func (r *Runner) Handle(kind string, h Handler) {
	r.mu.Lock()
	defer r.mu.Unlock()
	r.handlers[kind] = h
}

func (r *Runner) kinds() []string {
	r.mu.Lock()
	defer r.mu.Unlock()
	out := make([]string, 0, len(r.handlers))
	for k := range r.handlers {
		out = append(out, k)
	}
	slices.Sort(out)
	return out
}

func (r *Runner) handler(kind string) Handler {
	r.mu.Lock()
	defer r.mu.Unlock()
	return r.handlers[kind]
}

// Wake makes an idle runner look for work now (after an Enqueue in this
// process); other replicas find it at their next poll.
func (r *Runner) Wake() {
	select {
	case r.wake <- struct{}{}:
	default:
	}
}

// Run claims and runs jobs until ctx ends, then cancels the running
// handlers, waits for them and returns. It writes nothing for jobs still
// running at that point: their leases expire and another runner (or this
// process after a restart) resumes them.
func (r *Runner) Run(ctx context.Context) error {
	slots := make(chan struct{}, r.opts.Concurrency)
	var wg sync.WaitGroup
	defer wg.Wait()
	timer := time.NewTimer(0)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-timer.C:
		case <-r.wake:
		}
		// Claim while there is work and a free slot.
		for {
			select {
			case slots <- struct{}{}:
			case <-ctx.Done():
				return nil
			}
			l, err := r.claim(ctx)
			if err != nil || l == nil {
				<-slots
				if err != nil && ctx.Err() == nil {
					r.log.Warn("claiming a job", "owner", r.opts.Owner, "error", err.Error())
				}
				break
			}
			wg.Go(func() {
				defer func() { <-slots }()
				r.run(ctx, l)
			})
		}
		timer.Reset(r.opts.Poll)
	}
}

func (r *Runner) claim(ctx context.Context) (*Lease, error) {
	kinds := r.kinds()
	if len(kinds) == 0 {
		return nil, nil
	}
	return r.store.Claim(ctx, r.opts.Owner, kinds, r.opts.Lease)
}

// run runs one claimed job with its heartbeat and finishes it.
func (r *Runner) run(ctx context.Context, l *Lease) {
	j := l.Job
	hctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	beat := make(chan struct{})
	var cancelled bool
	go func() {
		defer close(beat)
		cancelled = r.heartbeat(hctx, l, cancel)
	}()
	err := r.call(hctx, j)
	cancel(errHandlerDone)
	<-beat
	if ctx.Err() != nil && err != nil {
		return // stopping: like a crash, the lease expires and the job resumes
	}
	status, msg := Succeeded, ""
	switch {
	case err == nil:
	case cancelled || errors.Is(context.Cause(hctx), ErrCancelRequested):
		status, msg = Cancelled, "cancelled: "+err.Error()
	default:
		status, msg = Failed, err.Error()
	}
	// The outcome is recorded even while stopping: the work is done.
	fctx, fcancel := context.WithTimeout(context.WithoutCancel(ctx), r.opts.Lease)
	defer fcancel()
	ferr := r.store.Finish(fctx, l, status, msg)
	if ferr != nil {
		r.log.Warn("finishing a job", "job", j.ID, "kind", j.Kind, "status", string(status), "error", ferr.Error())
	}
	if r.opts.OnFinish != nil {
		r.opts.OnFinish(j, status, ferr)
	}
}

var errHandlerDone = errors.New("jobs: handler returned")

// call runs the job's handler, turning a panic into the job's failure.
func (r *Runner) call(ctx context.Context, j *Job) (err error) {
	h := r.handler(j.Kind)
	if h == nil {
		return fmt.Errorf("no handler for job kind %q in this process", j.Kind)
	}
	defer func() {
		if p := recover(); p != nil {
			err = fmt.Errorf("handler panicked: %v", p)
		}
	}()
	return h(ctx, j)
}

// heartbeat renews l until ctx ends. It cancels the handler with
// ErrCancelRequested when a cancel is requested, and with ErrLeaseLost when
// another runner took the job or no renewal succeeded for a whole lease
// (this holder can no longer be sure it holds it). It reports whether a
// cancel was requested.
func (r *Runner) heartbeat(ctx context.Context, l *Lease, cancel context.CancelCauseFunc) bool {
	t := time.NewTicker(r.opts.Heartbeat)
	defer t.Stop()
	renewed := time.Now()
	requested := false
	for {
		select {
		case <-ctx.Done():
			return requested
		case <-t.C:
		}
		// A renewal is worth waiting for as long as the lease still
		// holds: a slow database must not cost the lease by itself.
		rctx, rcancel := context.WithTimeout(ctx, max(r.opts.Lease-time.Since(renewed), r.opts.Heartbeat))
		req, err := r.store.Renew(rctx, l, r.opts.Lease)
		rcancel()
		switch {
		case errors.Is(err, ErrLeaseLost):
			cancel(ErrLeaseLost)
			return requested
		case err != nil:
			if ctx.Err() != nil {
				return requested
			}
			r.log.Warn("renewing a job's lease", "job", l.Job.ID, "error", err.Error())
			if time.Since(renewed) >= r.opts.Lease {
				cancel(ErrLeaseLost)
				return requested
			}
		default:
			renewed = time.Now()
			if req && !requested {
				requested = true
				cancel(ErrCancelRequested)
			}
		}
	}
}

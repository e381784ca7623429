package jobs_test

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/jobs"
)

// TestTwoRunnersRunEachJobOnce: two runners (on PostgreSQL each with its own
// connection pool, as two replicas) share the queue; every job runs exactly
// once and succeeds on its first attempt.
func TestTwoRunnersRunEachJobOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		a := openStore(t, dsn).Jobs()
		b := a
		if strings.HasPrefix(dsn, "postgres") {
			b = openStore(t, dsn).Jobs()
		}
		var mu sync.Mutex
		runs := map[string][]string{}
		handler := func(owner string) jobs.Handler {
			return func(ctx context.Context, j *jobs.Job) error {
				mu.Lock()
				runs[j.ID] = append(runs[j.ID], owner)
				mu.Unlock()
				time.Sleep(2 * time.Millisecond)
				return nil
			}
		}
		var ids []string
		for i := range 60 {
			ids = append(ids, enqueue(t, a, "deploy", fmt.Sprintf("service:%d/env:1", i%20), `{"n":1}`).ID)
		}
		// Leases long enough that a loaded machine never lets one expire:
		// this is about claims, takeovers are tested below.
		opts := jobs.RunnerOptions{Lease: 10 * time.Second, Heartbeat: testHeartbeat, Poll: testPoll, Concurrency: 8}
		opts.Owner = "replica-a"
		startRunnerWith(t, a, opts, map[string]jobs.Handler{"deploy": handler("a")})
		opts.Owner = "replica-b"
		startRunnerWith(t, b, opts, map[string]jobs.Handler{"deploy": handler("b")})
		owners := map[string]int{}
		for _, id := range ids {
			j := waitStatus(t, a, id, jobs.Succeeded)
			if j.Attempts != 1 || j.Token != 1 {
				t.Errorf("job %s: attempts %d, token %d, want 1 and 1", id, j.Attempts, j.Token)
			}
			owners[j.LeaseOwner]++
		}
		mu.Lock()
		defer mu.Unlock()
		for _, id := range ids {
			if len(runs[id]) != 1 {
				t.Errorf("job %s ran %d times (%v), want once", id, len(runs[id]), runs[id])
			}
		}
		t.Logf("jobs per runner: %v", owners)
	})
}

// TestCrashedHolderIsTakenOverAndFenced: the holder stops without a word
// (its context ends, nothing is released, as in a crash) while its handler
// is still busy; after the lease expires the other runner runs the job
// again and finishes it, and when the stale handler finally returns, its
// completion is refused by the fencing token.
func TestCrashedHolderIsTakenOverAndFenced(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		st := openStore(t, dsn).Jobs()
		started, release := make(chan struct{}), make(chan struct{})
		stale := make(chan error, 1)
		crashed := startRunner(t, st, "crashed", map[string]jobs.Handler{"deploy": func(ctx context.Context, j *jobs.Job) error {
			close(started)
			<-release // a handler stuck in a call that ignores its context
			return nil
		}}, func(j *jobs.Job, s jobs.Status, err error) { stale <- err })
		j := enqueue(t, st, "deploy", "service:1/env:1", `{}`)
		<-started
		stopped := make(chan struct{})
		go func() { crashed.stop(); close(stopped) }()

		var took atomic.Int32
		startRunner(t, st, "survivor", map[string]jobs.Handler{"deploy": func(ctx context.Context, j *jobs.Job) error {
			took.Add(1)
			return nil
		}}, nil)
		done := waitStatus(t, st, j.ID, jobs.Succeeded)
		if done.LeaseOwner != "survivor" || done.Attempts != 2 || done.Token != 2 || took.Load() != 1 {
			t.Fatalf("after takeover: owner %q, attempts %d, token %d, survivor ran %d times; want survivor, 2, 2, 1",
				done.LeaseOwner, done.Attempts, done.Token, took.Load())
		}
		close(release)
		<-stopped
		if err := <-stale; !errors.Is(err, jobs.ErrLeaseLost) {
			t.Fatalf("the stale holder's completion: %v, want ErrLeaseLost", err)
		}
		if after := waitStatus(t, st, j.ID, jobs.Succeeded); after.Token != 2 || after.LeaseOwner != "survivor" {
			t.Fatalf("the stale holder changed the job: %+v", after)
		}
	})
}

// TestFenceRefusesAnOldToken checks the store's fence directly: once a job
// is claimed again, the first claim can neither renew nor finish it.
func TestFenceRefusesAnOldToken(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		st := s.Jobs()
		ctx := context.Background()
		j := enqueue(t, st, "deploy", "k", `{}`)
		first, err := st.Claim(ctx, "a", []string{"deploy"}, time.Hour)
		must(t, err)
		if first == nil || first.Job.ID != j.ID || first.Token != 1 {
			t.Fatalf("first claim: %+v", first)
		}
		if again, err := st.Claim(ctx, "b", []string{"deploy"}, time.Hour); err != nil || again != nil {
			t.Fatalf("claim of a held job: %+v, %v; want none", again, err)
		}
		expire(t, s, j.ID)
		second, err := st.Claim(ctx, "b", []string{"deploy"}, time.Hour)
		must(t, err)
		if second == nil || second.Token != 2 {
			t.Fatalf("claim after expiry: %+v", second)
		}
		if _, err := st.Renew(ctx, first, time.Hour); !errors.Is(err, jobs.ErrLeaseLost) {
			t.Errorf("renew with the old token: %v, want ErrLeaseLost", err)
		}
		if err := st.Finish(ctx, first, jobs.Failed, "stale"); !errors.Is(err, jobs.ErrLeaseLost) {
			t.Errorf("finish with the old token: %v, want ErrLeaseLost", err)
		}
		must(t, st.Finish(ctx, second, jobs.Succeeded, ""))
		if err := st.Finish(ctx, second, jobs.Failed, "twice"); !errors.Is(err, jobs.ErrLeaseLost) {
			t.Errorf("finishing a finished job: %v, want ErrLeaseLost", err)
		}
		got, err := st.Get(ctx, j.ID)
		must(t, err)
		if got.Status != jobs.Succeeded || got.LastError != "" {
			t.Fatalf("job after the fenced writes: %s %q", got.Status, got.LastError)
		}
	})
}

// TestRestartResumes: a process stops while its job runs; a new process on
// the same database (a new store, a new runner) resumes the job once its
// lease expired.
func TestRestartResumes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		before := openStore(t, dsn)
		started := make(chan struct{})
		r := startRunner(t, before.Jobs(), "before-restart", map[string]jobs.Handler{"deploy": func(ctx context.Context, j *jobs.Job) error {
			close(started)
			<-ctx.Done()
			return context.Cause(ctx)
		}}, nil)
		j := enqueue(t, before.Jobs(), "deploy", "service:1/env:1", `{"image":"shop:2"}`)
		<-started
		r.stop()
		before.Close()

		after := openStore(t, dsn).Jobs()
		if got, err := after.Get(context.Background(), j.ID); err != nil || got.Status != jobs.Running {
			t.Fatalf("after the stop the job is %+v (%v), want still running: a stop writes nothing", got, err)
		}
		var payload string
		startRunner(t, after, "after-restart", map[string]jobs.Handler{"deploy": func(ctx context.Context, j *jobs.Job) error {
			payload = string(j.Payload)
			return nil
		}}, nil)
		done := waitStatus(t, after, j.ID, jobs.Succeeded)
		if done.Attempts != 2 || done.LeaseOwner != "after-restart" || payload != `{"image":"shop:2"}` {
			t.Fatalf("resumed job: attempts %d, owner %q, payload %s", done.Attempts, done.LeaseOwner, payload)
		}
	})
}

// TestKeySerializes: jobs of one key run one at a time in enqueue order,
// also with two runners; jobs of other keys run beside them; a queued job
// names the one it waits behind.
func TestKeySerializes(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		st := openStore(t, dsn).Jobs()
		ctx := context.Background()
		var (
			mu      sync.Mutex
			running = map[string]int{}
			order   = map[string][]string{}
			overlap []string
		)
		gate := make(chan struct{})
		h := func(ctx context.Context, j *jobs.Job) error {
			mu.Lock()
			running[j.Key]++
			if running[j.Key] > 1 {
				overlap = append(overlap, j.Key)
			}
			order[j.Key] = append(order[j.Key], string(j.Payload))
			mu.Unlock()
			<-gate
			time.Sleep(5 * time.Millisecond)
			mu.Lock()
			running[j.Key]--
			mu.Unlock()
			return nil
		}
		var all []*jobs.Job
		for i := range 5 {
			for _, key := range []string{"service:a/env:1", "service:b/env:1"} {
				all = append(all, enqueue(t, st, "deploy", key, fmt.Sprintf(`{"n":%d}`, i)))
			}
		}
		startSteadyRunner(t, st, "one", map[string]jobs.Handler{"deploy": h})
		startSteadyRunner(t, st, "two", map[string]jobs.Handler{"deploy": h})
		first := waitStatus(t, st, all[0].ID, jobs.Running)
		waitStatus(t, st, all[1].ID, jobs.Running) // the other key runs beside it
		ahead, err := st.Ahead(ctx, all[4].ID)
		must(t, err)
		if ahead == nil || ahead.ID != first.ID {
			t.Fatalf("job 3 of key a waits behind %+v, want the running job %s", ahead, first.ID)
		}
		if a, err := st.Ahead(ctx, first.ID); err != nil || a != nil {
			t.Fatalf("a running job waits behind %+v (%v), want nothing", a, err)
		}
		close(gate)
		for _, j := range all {
			waitStatus(t, st, j.ID, jobs.Succeeded)
		}
		mu.Lock()
		defer mu.Unlock()
		if len(overlap) > 0 {
			t.Fatalf("two jobs of one key ran at once: %v", overlap)
		}
		want := []string{`{"n":0}`, `{"n":1}`, `{"n":2}`, `{"n":3}`, `{"n":4}`}
		for key, got := range order {
			if !slices.Equal(got, want) {
				t.Errorf("key %s ran %v, want enqueue order %v", key, got, want)
			}
		}
	})
}

// TestHandlerErrorsAndPanicsFailTheJob: a handler's error, or its panic,
// fails the job with the message as its last error; the runner goes on.
func TestHandlerErrorsAndPanicsFailTheJob(t *testing.T) {
	st := openStore(t, dialects[0].dsn(t)).Jobs()
	startSteadyRunner(t, st, "r", map[string]jobs.Handler{
		"fail":  func(ctx context.Context, j *jobs.Job) error { return errors.New("image shop:9 not found") },
		"panic": func(ctx context.Context, j *jobs.Job) error { panic("nil map") },
	})
	failed := enqueue(t, st, "fail", "a", `{}`)
	panicked := enqueue(t, st, "panic", "b", `{}`)
	if j := waitStatus(t, st, failed.ID, jobs.Failed); j.LastError != "image shop:9 not found" || j.FinishedAt == nil {
		t.Errorf("failed job: %q, finished %v", j.LastError, j.FinishedAt)
	}
	if j := waitStatus(t, st, panicked.ID, jobs.Failed); j.LastError != "handler panicked: nil map" {
		t.Errorf("panicked job: %q", j.LastError)
	}
}

package jobs_test

import (
	"context"
	"path/filepath"
	"sync"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

// Short leases keep the takeover tests fast; the heartbeat renews a lease
// several times before it could expire.
const (
	testLease     = 600 * time.Millisecond
	testHeartbeat = 100 * time.Millisecond
	testPoll      = 20 * time.Millisecond
)

var dialects = []struct {
	name string
	dsn  func(t testing.TB) string
}{
	{"sqlite", func(t testing.TB) string { return filepath.Join(t.TempDir(), "capsule.db") }},
	{"postgres", func(t testing.TB) string { return pgtest.StartFrom(t, "jobs", migrated) }},
}

func migrated(url string) error {
	s, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		return err
	}
	return s.Close()
}

func forEachDialect(t *testing.T, f func(t *testing.T, dsn string)) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) { f(t, d.dsn(t)) })
	}
}

func openStore(t testing.TB, dsn string) *sqlstore.Store {
	t.Helper()
	s, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatalf("open %s: %v", dsn, err)
	}
	t.Cleanup(func() { s.Close() })
	return s
}

// runner is a started Runner with the means to stop it like a crash.
type runner struct {
	*jobs.Runner
	stop func() // cancels Run's context and waits for Run to return
}

func startRunner(t *testing.T, st jobs.Store, owner string, handlers map[string]jobs.Handler, onFinish func(*jobs.Job, jobs.Status, error)) *runner {
	t.Helper()
	return startRunnerWith(t, st, jobs.RunnerOptions{Owner: owner, Lease: testLease, Heartbeat: testHeartbeat,
		Poll: testPoll, Concurrency: 8, OnFinish: onFinish}, handlers)
}

// startSteadyRunner is startRunner with a lease no loaded machine lets
// expire, for tests about claims, order and cancels rather than takeovers.
func startSteadyRunner(t *testing.T, st jobs.Store, owner string, handlers map[string]jobs.Handler) *runner {
	t.Helper()
	return startRunnerWith(t, st, jobs.RunnerOptions{Owner: owner, Lease: 10 * time.Second, Heartbeat: testHeartbeat,
		Poll: testPoll, Concurrency: 8}, handlers)
}

func startRunnerWith(t *testing.T, st jobs.Store, opts jobs.RunnerOptions, handlers map[string]jobs.Handler) *runner {
	t.Helper()
	owner := opts.Owner
	r, err := jobs.NewRunner(st, opts)
	if err != nil {
		t.Fatal(err)
	}
	for k, h := range handlers {
		r.Handle(k, h)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		if err := r.Run(ctx); err != nil {
			t.Errorf("runner %s: %v", owner, err)
		}
	}()
	var once sync.Once
	stop := func() { once.Do(func() { cancel(); <-done }) }
	t.Cleanup(stop)
	return &runner{Runner: r, stop: stop}
}

func enqueue(t *testing.T, st jobs.Store, kind, key, payload string) *jobs.Job {
	t.Helper()
	j := &jobs.Job{Kind: kind, Key: key, Payload: []byte(payload)}
	if err := st.Enqueue(context.Background(), j); err != nil {
		t.Fatalf("enqueue: %v", err)
	}
	return j
}

// waitStatus polls until the job has status, or fails after a few leases.
func waitStatus(t *testing.T, st jobs.Store, id string, want jobs.Status) *jobs.Job {
	t.Helper()
	deadline := time.Now().Add(20 * testLease)
	for {
		j, err := st.Get(context.Background(), id)
		if err != nil {
			t.Fatalf("get %s: %v", id, err)
		}
		if j.Status == want {
			return j
		}
		if time.Now().After(deadline) {
			t.Fatalf("job %s is %s (last error %q), want %s", id, j.Status, j.LastError, want)
		}
		time.Sleep(10 * time.Millisecond)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

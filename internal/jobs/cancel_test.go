package jobs_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// expire ends a job's lease now, as if its holder had stopped renewing it
// a lease ago.
func expire(t *testing.T, s *sqlstore.Store, id string) {
	t.Helper()
	_, err := s.Database().Exec(context.Background(), "UPDATE jobs SET lease_expires_at = ? WHERE id = ?",
		database.TimeOf(database.Now().Add(-time.Second)), id)
	must(t, err)
}

// TestCancel: a queued job is cancelled at once and never runs; a running
// job's handler sees its context end with ErrCancelRequested within a
// heartbeat and the job ends cancelled; a finished job cannot be cancelled.
func TestCancel(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		st := openStore(t, dsn).Jobs()
		ctx := context.Background()
		started := make(chan struct{}, 2)
		cause := make(chan error, 2)
		startSteadyRunner(t, st, "r", map[string]jobs.Handler{"deploy": func(ctx context.Context, j *jobs.Job) error {
			started <- struct{}{}
			<-ctx.Done()
			cause <- context.Cause(ctx)
			return errors.New("rollout interrupted")
		}})
		running := enqueue(t, st, "deploy", "service:1/env:1", `{}`)
		queued := enqueue(t, st, "deploy", "service:1/env:1", `{}`)
		<-started
		got, err := st.Cancel(ctx, queued.ID)
		must(t, err)
		if got.Status != jobs.Cancelled || got.FinishedAt == nil {
			t.Fatalf("cancelled queued job: %s, finished %v", got.Status, got.FinishedAt)
		}
		asked := time.Now()
		got, err = st.Cancel(ctx, running.ID)
		must(t, err)
		if got.Status != jobs.Running || !got.CancelRequested {
			t.Fatalf("cancel of a running job: %s, requested %v; want running with the flag", got.Status, got.CancelRequested)
		}
		if c := <-cause; !errors.Is(c, jobs.ErrCancelRequested) {
			t.Fatalf("handler context ended with %v, want ErrCancelRequested", c)
		}
		if d := time.Since(asked); d > 10*testHeartbeat {
			t.Errorf("the runner noticed the cancel after %s; it renews every %s", d, testHeartbeat)
		}
		done := waitStatus(t, st, running.ID, jobs.Cancelled)
		if done.LastError != "cancelled: rollout interrupted" {
			t.Errorf("last error %q", done.LastError)
		}
		if _, err := st.Cancel(ctx, running.ID); !errors.Is(err, jobs.ErrFinished) {
			t.Errorf("cancel of a finished job: %v, want ErrFinished", err)
		}
		if _, err := st.Cancel(ctx, database.NewID()); !errors.Is(err, jobs.ErrNotFound) {
			t.Errorf("cancel of an unknown job: %v, want ErrNotFound", err)
		}
		select {
		case <-started:
			t.Fatal("the job cancelled while queued ran")
		default:
		}
	})
}

// TestExpiredJobsEnd: a job whose lease expired is not run again when its
// cancel was requested (it ends cancelled) or its attempts are used up (it
// ends failed), so a job that crashes its process cannot crash them all.
func TestExpiredJobsEnd(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		st := s.Jobs()
		ctx := context.Background()
		once := &jobs.Job{Kind: "deploy", Key: "a", MaxAttempts: 1}
		must(t, st.Enqueue(ctx, once))
		l, err := st.Claim(ctx, "gone", []string{"deploy"}, time.Hour)
		must(t, err)
		expire(t, s, l.Job.ID)
		cancelled := enqueue(t, st, "deploy", "b", `{}`)
		l2, err := st.Claim(ctx, "gone", []string{"deploy"}, time.Hour)
		must(t, err)
		if l2.Job.ID != cancelled.ID {
			t.Fatalf("claimed %s, want %s", l2.Job.ID, cancelled.ID)
		}
		_, err = st.Cancel(ctx, cancelled.ID)
		must(t, err)
		expire(t, s, cancelled.ID)
		if l3, err := st.Claim(ctx, "next", []string{"deploy"}, time.Hour); err != nil || l3 != nil {
			t.Fatalf("claim: %+v, %v; want nothing to run", l3, err)
		}
		if j, _ := st.Get(ctx, once.ID); j.Status != jobs.Failed || j.LastError == "" {
			t.Errorf("job out of attempts: %s %q, want failed with a reason", j.Status, j.LastError)
		}
		if j, _ := st.Get(ctx, cancelled.ID); j.Status != jobs.Cancelled {
			t.Errorf("cancelled job whose runner vanished: %s, want cancelled", j.Status)
		}
	})
}

// TestEnqueueCommitsWithTheAuditEntry: under a request's audit unit the job
// and its audit entry commit in one transaction.
func TestEnqueueCommitsWithTheAuditEntry(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		s := openStore(t, dsn)
		ids := identitystore.New(s)
		ctx, unit := ids.WithAuditUnit(context.Background(), audit.Entry{ActorType: audit.ActorUser, ActorID: "u1",
			Action: "service.deploy", TargetType: "deployment", TargetID: "d1"})
		j := &jobs.Job{Kind: "deploy", Key: "service:1/env:1", Subject: "d1"}
		must(t, s.Jobs().Enqueue(ctx, j))
		if got, err := s.Jobs().BySubject(context.Background(), "deploy", "d1"); err != nil || got.ID != j.ID {
			t.Fatalf("the job of deployment d1: %+v, %v", got, err)
		}
		if _, err := s.Jobs().BySubject(context.Background(), "deploy", "d2"); !errors.Is(err, jobs.ErrNotFound) {
			t.Fatalf("the job of an unknown deployment: %v, want ErrNotFound", err)
		}
		e, ok := unit.Committed()
		if !ok || e.Action != "service.deploy" {
			t.Fatalf("audit entry committed with the job: %+v, %v", e, ok)
		}
		if _, err := s.Jobs().Get(context.Background(), j.ID); err != nil {
			t.Fatal(err)
		}
	})
}

// TestEnqueueRefusesBadJobs names what is wrong.
func TestEnqueueRefusesBadJobs(t *testing.T) {
	st := openStore(t, dialects[0].dsn(t)).Jobs()
	for _, c := range []struct {
		job  jobs.Job
		want string
	}{
		{jobs.Job{Key: "k"}, "needs a kind"},
		{jobs.Job{Kind: "deploy"}, "needs a serialization key"},
		{jobs.Job{Kind: "deploy", Key: "k", Payload: []byte("{")}, "not valid JSON"},
		{jobs.Job{Kind: "deploy", Key: "k\x00"}, "valid UTF-8 without NUL"},
	} {
		err := st.Enqueue(context.Background(), &c.job)
		if err == nil || !strings.Contains(err.Error(), c.want) {
			t.Errorf("enqueue %+v: %v, want an error saying %q", c.job, err, c.want)
		}
	}
}

package sqlstore_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// TestDriftChecks: one holder at a time claims an environment's drift
// check, and only when it is due; a holder whose lease was taken over
// writes nothing; the stored result is read back and goes with its
// environment.
func TestDriftChecks(t *testing.T) {
	forEachDialect(t, []storeCase{{name: "drift", run: func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
		every, lease := 5*time.Minute, time.Minute
		if rec, err := s.FindDriftCheck(ctx, f.env.ID); err != nil || rec != nil {
			t.Fatalf("before any check: %+v %v", rec, err)
		}
		a, err := s.ClaimDriftCheck(ctx, f.env.ID, "a", now, every, lease)
		must(t, err)
		if a == nil || a.Previous != nil {
			t.Fatalf("first claim: %+v", a)
		}
		if b, err := s.ClaimDriftCheck(ctx, f.env.ID, "b", now.Add(30*time.Second), every, lease); err != nil || b != nil {
			t.Fatalf("claim while a holds the lease: %+v %v", b, err)
		}
		// a stalls past its lease; b takes over, so a's write is refused.
		b, err := s.ClaimDriftCheck(ctx, f.env.ID, "b", now.Add(2*time.Minute), every, lease)
		must(t, err)
		if b == nil || b.Token == a.Token {
			t.Fatalf("claim after a's lease expired: %+v", b)
		}
		rec := sqlstore.DriftRecord{EnvironmentID: f.env.ID, CheckedAt: now.Add(2 * time.Minute), InSync: false, Summary: []byte(`[{"kind":"Deployment"}]`)}
		if err := s.SaveDriftCheck(ctx, a.Token, rec); !errors.Is(err, jobs.ErrLeaseLost) {
			t.Fatalf("write of a lost lease: %v", err)
		}
		must(t, s.SaveDriftCheck(ctx, b.Token, rec))
		got, err := s.FindDriftCheck(ctx, f.env.ID)
		must(t, err)
		if got == nil || got.InSync || !got.CheckedAt.Equal(rec.CheckedAt) || string(got.Summary) != string(rec.Summary) {
			t.Fatalf("stored check: %+v", got)
		}
		// Not due until a whole interval after the check.
		if c, err := s.ClaimDriftCheck(ctx, f.env.ID, "a", now.Add(4*time.Minute), every, lease); err != nil || c != nil {
			t.Fatalf("claim before the check is due: %+v %v", c, err)
		}
		c, err := s.ClaimDriftCheck(ctx, f.env.ID, "a", now.Add(8*time.Minute), every, lease)
		must(t, err)
		if c == nil || c.Previous == nil || c.Previous.InSync || !c.Previous.CheckedAt.Equal(rec.CheckedAt) {
			t.Fatalf("due claim: %+v", c)
		}
		// A check that could not compare gives the lease back at once.
		must(t, s.ReleaseDriftCheck(ctx, f.env.ID, c.Token))
		if d, err := s.ClaimDriftCheck(ctx, f.env.ID, "b", now.Add(8*time.Minute), every, lease); err != nil || d == nil {
			t.Fatalf("claim after a release: %+v %v", d, err)
		}
		must(t, s.DeleteEnvironment(ctx, f.env.ID))
		if rec, err := s.FindDriftCheck(ctx, f.env.ID); err != nil || rec != nil {
			t.Fatalf("check of a deleted environment: %+v %v", rec, err)
		}
	}}})
}

package events_test

import (
	"context"
	"errors"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/events"
)

func next(t *testing.T, s *events.Subscription) events.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()
	e, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("next event: %v", err)
	}
	return e
}

var scopeA = events.Scope{OrganizationID: "org-a", ProjectID: "p", EnvironmentID: "env-1", ServiceID: "svc-1", DeploymentID: "dep-1"}

func TestHubDeliversMatchingEventsInOrder(t *testing.T) {
	h := events.NewHub(events.Options{})
	defer h.Close()
	ctx := context.Background()
	all := h.Subscribe(nil)
	only := h.Subscribe(events.Filter{Deployments: []string{"dep-2"}}.Match)
	other := scopeA
	other.DeploymentID = "dep-2"
	for _, e := range []events.Event{
		{Type: events.DeploymentStarted, Scope: scopeA},
		events.Progress(scopeA, 150, "rolling out"),
		{Type: events.LogStdout, Scope: other, Pod: "api-1", Line: "listening"},
	} {
		if err := h.Publish(ctx, e); err != nil {
			t.Fatal(err)
		}
	}
	var seqs []int64
	for range 3 {
		seqs = append(seqs, next(t, all).Seq)
	}
	if seqs[0] >= seqs[1] || seqs[1] >= seqs[2] {
		t.Errorf("sequence numbers %v do not increase", seqs)
	}
	if e := next(t, only); e.Type != events.LogStdout || e.Line != "listening" || e.Time.IsZero() {
		t.Errorf("filtered subscriber got %+v", e)
	}
	ctx2, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
	defer cancel()
	if e, err := only.Next(ctx2); err == nil {
		t.Errorf("filtered subscriber got an event of another deployment: %+v", e)
	}
}

func TestProgressIsClamped(t *testing.T) {
	if p := *events.Progress(scopeA, 150, "").Percent; p != 100 {
		t.Errorf("150%% became %d, want 100", p)
	}
	if p := *events.Progress(scopeA, -3, "").Percent; p != 0 {
		t.Errorf("-3%% became %d, want 0", p)
	}
}

// TestSlowSubscriberLags: a subscriber that reads nothing never blocks the
// publisher; it gets its queue, then one stream.lagged with the count it
// missed, then new events again.
func TestSlowSubscriberLags(t *testing.T) {
	h := events.NewHub(events.Options{Buffer: 4})
	defer h.Close()
	ctx := context.Background()
	slow := h.Subscribe(nil)
	start := time.Now()
	for i := range 1000 {
		if err := h.Publish(ctx, events.Progress(scopeA, i%100, "step")); err != nil {
			t.Fatal(err)
		}
	}
	if d := time.Since(start); d > 2*time.Second {
		t.Fatalf("publishing to a stalled subscriber took %s", d)
	}
	for i := range 4 {
		if e := next(t, slow); e.Type != events.DeploymentProgress || *e.Percent != i {
			t.Fatalf("queued event %d: %+v", i, e)
		}
	}
	lag := next(t, slow)
	if lag.Type != events.StreamLagged || lag.Missed != 996 {
		t.Fatalf("after the queue: %+v, want stream.lagged missing 996", lag)
	}
	must(t, h.Publish(ctx, events.Event{Type: events.DeploymentCompleted, Scope: scopeA}))
	if e := next(t, slow); e.Type != events.DeploymentCompleted {
		t.Fatalf("after resync: %+v", e)
	}
}

func TestPublishRefusesUnknownTypes(t *testing.T) {
	h := events.NewHub(events.Options{})
	defer h.Close()
	for _, typ := range []events.Type{"", "deployment.exploded", events.StreamLagged} {
		if err := h.Publish(context.Background(), events.Event{Type: typ}); err == nil || !strings.Contains(err.Error(), "not an event type") {
			t.Errorf("publishing %q: %v", typ, err)
		}
	}
}

func TestLongLinesAreCut(t *testing.T) {
	h := events.NewHub(events.Options{})
	defer h.Close()
	s := h.Subscribe(nil)
	must(t, h.Publish(context.Background(), events.Event{Type: events.LogStderr, Scope: scopeA, Line: strings.Repeat("é", events.MaxLine)}))
	e := next(t, s)
	if len(e.Line) > events.MaxLine || !e.Truncated || !strings.HasPrefix(strings.Repeat("é", events.MaxLine), e.Line) {
		t.Fatalf("line of %d bytes, truncated %v", len(e.Line), e.Truncated)
	}
}

func TestCloseEndsSubscriptions(t *testing.T) {
	h := events.NewHub(events.Options{})
	s := h.Subscribe(nil)
	done := make(chan error, 1)
	go func() { _, err := s.Next(context.Background()); done <- err }()
	h.Close()
	select {
	case err := <-done:
		if !errors.Is(err, events.ErrClosed) {
			t.Fatalf("next after close: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("a waiting subscriber was not woken by Close")
	}
	if _, err := h.Subscribe(nil).Next(context.Background()); !errors.Is(err, events.ErrClosed) {
		t.Fatalf("subscribing to a closed hub: %v", err)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package pgrelay_test

import (
	"context"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/events/pgrelay"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestMain(m *testing.M) { pgtest.Main(m) }

func openHub(t *testing.T, dsn string) (*events.Hub, *sqlstore.Store) {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	h := events.NewHub(events.Options{Relay: pgrelay.New(dsn, st.DB(), nil)})
	t.Cleanup(func() { h.Close(); st.Close() })
	return h, st
}

func next(t *testing.T, s *events.Subscription) events.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	e, err := s.Next(ctx)
	if err != nil {
		t.Fatalf("next event: %v", err)
	}
	return e
}

var scope = events.Scope{OrganizationID: "o", ProjectID: "p", EnvironmentID: "e", ServiceID: "s", DeploymentID: "d"}

// publishUntilSeen publishes on from until sub (on another hub) receives
// it: a fresh listener may not be listening yet when the test starts.
func publishUntilSeen(t *testing.T, from *events.Hub, sub *events.Subscription, e events.Event) events.Event {
	t.Helper()
	for range 100 {
		if err := from.Publish(context.Background(), e); err != nil {
			t.Fatal(err)
		}
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		got, err := sub.Next(ctx)
		cancel()
		if err == nil {
			return got
		}
	}
	t.Fatal("the event never arrived")
	return events.Event{}
}

// TestReplicasSeeEachOthersEvents: two hubs on one PostgreSQL database (two
// replicas); a subscriber on B sees what A publishes, with one sequence,
// and A's own subscribers get it too, through the database.
func TestReplicasSeeEachOthersEvents(t *testing.T) {
	dsn := pgtest.StartFrom(t, "pgrelay", migrated)
	a, _ := openHub(t, dsn)
	b, _ := openHub(t, dsn)
	onB := b.Subscribe(events.Filter{Types: []events.Type{events.DeploymentStarted}}.Match)
	first := publishUntilSeen(t, a, onB, events.Event{Type: events.DeploymentStarted, Scope: scope})
	if first.Scope != scope || first.Seq == 0 {
		t.Fatalf("B received %+v", first)
	}
	onA := a.Subscribe(nil)
	must(t, a.Publish(context.Background(), events.Event{Type: events.DeploymentStarted, Scope: scope, Message: "again"}))
	// Retries of the first publish may still be arriving: skip them.
	again := func(s *events.Subscription) events.Event {
		for {
			if e := next(t, s); e.Message == "again" {
				return e
			}
		}
	}
	got, mine := again(onB), again(onA)
	if got.Message != "again" || mine.Message != "again" || got.Seq != mine.Seq || got.Seq <= first.Seq {
		t.Fatalf("B got %+v, A got %+v after seq %d", got, mine, first.Seq)
	}
	long := events.Event{Type: events.LogStdout, Scope: scope, Line: longText(events.MaxLine), Message: longText(events.MaxLine)}
	must(t, a.Publish(context.Background(), long))
	e := next(t, onA)
	for e.Type != events.LogStdout {
		e = next(t, onA)
	}
	if !e.Truncated || len(e.Line)+len(e.Message) > 8000 {
		t.Fatalf("long event: truncated %v, %d bytes", e.Truncated, len(e.Line)+len(e.Message))
	}
}

// TestReconnectTellsSubscribersToResync: when the listening connection is
// cut, the relay reconnects and every subscriber gets stream.lagged.
func TestReconnectTellsSubscribersToResync(t *testing.T) {
	dsn := pgtest.StartFrom(t, "pgrelay", migrated)
	a, st := openHub(t, dsn)
	sub := a.Subscribe(nil)
	publishUntilSeen(t, a, sub, events.Event{Type: events.DeploymentStarted, Scope: scope})
	_, err := st.DB().ExecContext(context.Background(),
		"SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE query = 'LISTEN "+pgrelay.Channel+"'")
	must(t, err)
	e := next(t, sub)
	for e.Type == events.DeploymentStarted { // late retries of the first publish
		e = next(t, sub)
	}
	if e.Type != events.StreamLagged {
		t.Fatalf("after the cut: %+v, want stream.lagged", e)
	}
	publishUntilSeen(t, a, sub, events.Event{Type: events.DeploymentCompleted, Scope: scope})
}

func longText(n int) string {
	b := make([]byte, n)
	for i := range b {
		b[i] = '"' // escaped as \" in JSON: twice the bytes
	}
	return string(b)
}

func migrated(url string) error {
	s, err := sqlstore.Open(context.Background(), url, sqlstore.Options{})
	if err != nil {
		return err
	}
	return s.Close()
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

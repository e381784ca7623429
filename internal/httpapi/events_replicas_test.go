package httpapi_test

import (
	"context"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/events/pgrelay"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/token"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// relayedHub is a replica's hub relaying through PostgreSQL at dsn.
func relayedHub(t *testing.T, dsn string) (*events.Hub, *sqlstore.Store) {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	must(t, err)
	h := events.NewHub(events.Options{Relay: pgrelay.New(dsn, st.DB(), nil)})
	t.Cleanup(func() { h.Close(); st.Close() })
	return h, st
}

// listening waits until h's relay receives what is published, so a test
// does not publish before the replica listens.
func listening(t *testing.T, h *events.Hub) {
	t.Helper()
	sub := h.Subscribe(nil)
	defer sub.Close()
	for range 100 {
		must(t, h.Publish(context.Background(), events.Event{Type: events.DeploymentStarted}))
		ctx, cancel := context.WithTimeout(context.Background(), 100*time.Millisecond)
		_, err := sub.Next(ctx)
		cancel()
		if err == nil {
			return
		}
	}
	t.Fatal("the replica's relay never listened")
}

// TestEventsAcrossReplicas: two API replicas on one PostgreSQL database; a
// WebSocket client of replica B sees the event published on replica A.
func TestEventsAcrossReplicas(t *testing.T) {
	dsn := pgtest.Start(t)
	hubA, _ := relayedHub(t, dsn)
	e := newEnv(t, dsn, func(c *httpapi.Config) { c.Events = hubA })
	hubB, stB := relayedHub(t, dsn)
	apiB, err := httpapi.New(httpapi.Config{Store: stB, Tokens: token.NewIssuer([]byte(strings.Repeat("k", 32)), token.DefaultTTL),
		Access: httpapi.AccessConfig{Identity: identitystore.New(stB)}, Events: hubB})
	must(t, err)
	srvB := httptest.NewServer(apiB)
	defer srvB.Close()
	listening(t, hubB)

	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := dialEvents(ctx, srvB.URL, "/api/v1/events?type=deployment.progress", bearer(e.token))
	must(t, err)
	defer c.CloseNow()
	settle()
	scope := events.Scope{OrganizationID: e.orgID, ProjectID: "p", EnvironmentID: "e", DeploymentID: "d"}
	must(t, e.api.Events().Publish(ctx, events.Progress(scope, 40, "on replica A")))
	if got := readEvent(t, c); got.Message != "on replica A" || got.Seq == 0 {
		t.Fatalf("replica B's client got %+v", got)
	}
}

package webhook_test

import (
	"context"
	"log/slog"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/webhook"
)

// TestDeploymentEventsFromHub: completed and failed deployments published
// on the hub are queued for a deployment.* subscription; the same event
// reported twice (as every replica receives it) is queued once, and
// progress reports are not queued.
func TestDeploymentEventsFromHub(t *testing.T) {
	p := openPlane(t, dsn0(t), "")
	sub := p.subscribe(t, newReceiver(t), "deployment.*")
	hub := events.NewHub(events.Options{})
	defer hub.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	go func() {
		defer close(done)
		webhook.ForwardDeployments(ctx, hub, p.st.Database(), slog.New(slog.DiscardHandler))
	}()
	defer func() { cancel(); <-done }()
	// Publishing repeats until both are queued (the forwarder subscribes
	// in its goroutine), which also reports each event several times.
	scope := events.Scope{OrganizationID: p.org, ProjectID: "p", EnvironmentID: "e", DeploymentID: "d-1"}
	publish := func() {
		must(t, hub.Publish(ctx, events.Progress(scope, 50, "rolling out")))
		must(t, hub.Publish(ctx, events.Event{Type: events.DeploymentFailed, Scope: scope, Message: "failed: image pull"}))
		must(t, hub.Publish(ctx, events.Event{Type: events.DeploymentCompleted, Scope: events.Scope{OrganizationID: p.org, DeploymentID: "d-2"}}))
	}
	deadline := time.Now().Add(10 * time.Second)
	for {
		publish()
		time.Sleep(30 * time.Millisecond)
		l, err := p.svc.Store.Deliveries(context.Background(), sub.ID, pageAll)
		must(t, err)
		if len(l.Items) > 2 {
			t.Fatalf("deliveries %+v, want failed and completed once each, no progress", l.Items)
		}
		if len(l.Items) == 2 {
			types := map[string]bool{l.Items[0].EventType: true, l.Items[1].EventType: true}
			if !types["deployment.failed"] || !types["deployment.completed"] {
				t.Fatalf("queued %+v", l.Items)
			}
			publish()
			time.Sleep(100 * time.Millisecond)
			if l, _ := p.svc.Store.Deliveries(context.Background(), sub.ID, pageAll); len(l.Items) != 2 {
				t.Fatalf("%d deliveries after reporting the events again, want 2", len(l.Items))
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("deliveries %+v, want failed and completed", l.Items)
		}
	}
}

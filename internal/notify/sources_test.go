package notify_test

import (
	"context"
	"log/slog"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/notify"
)

// TestSourcesRouteEvents: an agent.offline audit entry (in its own
// transaction) and a rolled-back deployment on the hub reach a channel
// whose rules route them, each once, as the right kind with a UI link.
func TestSourcesRouteEvents(t *testing.T) {
	ctx := context.Background()
	svc, st := service(t, filepath.Join(t.TempDir(), "capsule.db"))
	ids := svc.Secrets.(*identitystore.Store)
	ids.OnAuditAppend(notify.AuditHook)
	u := &capsule.User{Email: "o@example.com", Name: "O"}
	must(t, st.CreateUser(ctx, u))
	org := &capsule.Organization{Name: "Acme", Slug: "acme"}
	must(t, st.CreateOrganization(ctx, org, u.ID))
	var (
		mu    sync.Mutex
		texts []string
	)
	srv, _ := provider(t, func(r *http.Request, b map[string]any) (int, string) {
		mu.Lock()
		texts = append(texts, b["text"].(string))
		mu.Unlock()
		return 200, "ok"
	})
	ch, err := svc.CreateChannel(ctx, org.ID, u.ID, notify.ChannelInput{Name: "ops", Kind: notify.KindSlackWebhook,
		Secret: notify.ChannelSecret{URL: srv.URL}, GroupWindowSeconds: new(int)})
	must(t, err)
	_, err = svc.CreateRule(ctx, org.ID, u.ID, notify.RuleInput{ChannelID: ch.ID, Events: []string{notify.EventAgentOffline, notify.EventDeploymentRollback}})
	must(t, err)

	must(t, ids.AppendAudit(ctx, &audit.Entry{ActorType: audit.ActorSystem, Action: "agent.offline", TargetType: "agent", TargetID: "a-1",
		OrganizationID: org.ID, Outcome: audit.OutcomeSuccess, After: map[string]string{"clusterId": "c-1", "lastHeartbeat": "never"}}))
	hub := events.NewHub(events.Options{})
	defer hub.Close()
	fctx, cancel := context.WithCancel(ctx)
	done := make(chan struct{})
	go func() {
		defer close(done)
		notify.ForwardDeployments(fctx, hub, svc.DB, slog.New(slog.DiscardHandler))
	}()
	defer func() { cancel(); <-done }()
	disp := notify.NewDispatcher(svc, notify.DispatcherOptions{})
	deadline := time.Now().Add(10 * time.Second)
	for {
		// Repeated until the forwarder has subscribed; queued once all the same.
		must(t, hub.Publish(ctx, events.Event{Type: events.DeploymentFailed, Message: "rolled_back: readiness failed",
			Scope: events.Scope{OrganizationID: org.ID, ProjectID: "p", EnvironmentID: "e", DeploymentID: "d-1"}}))
		time.Sleep(30 * time.Millisecond)
		must(t, disp.RunOnce(ctx))
		mu.Lock()
		got := append([]string(nil), texts...)
		mu.Unlock()
		if len(got) >= 2 {
			joined := strings.Join(got, "\n")
			if len(got) != 2 || !strings.Contains(joined, "Agent offline: agent a-1") || !strings.Contains(joined, "Deployment rolled back: deployment d-1") {
				t.Fatalf("sent %q", got)
			}
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("sent %q, want the agent and the rollback", got)
		}
	}
}

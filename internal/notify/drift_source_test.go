package notify_test

import (
	"context"
	"net/http"
	"path/filepath"
	"strings"
	"sync"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/notify"
)

// TestDriftEntriesNotify: the drift monitor's audited state changes reach
// a channel whose rule, scoped to the environment's project, routes
// drift.found: drift found, naming the environment; its return to sync is
// not sent.
func TestDriftEntriesNotify(t *testing.T) {
	ctx := context.Background()
	svc, st := service(t, filepath.Join(t.TempDir(), "capsule.db"))
	ids := svc.Secrets.(*identitystore.Store)
	ids.OnAuditAppend(notify.AuditHook)
	u := &capsule.User{Email: "o@example.com", Name: "O"}
	must(t, st.CreateUser(ctx, u))
	org := &capsule.Organization{Name: "Acme", Slug: "acme"}
	must(t, st.CreateOrganization(ctx, org, u.ID))
	proj := &capsule.Project{OrganizationID: org.ID, Name: "Shop", Slug: "shop"}
	must(t, st.CreateProject(ctx, proj))
	env := &capsule.Environment{ProjectID: proj.ID, Name: "production", Kind: "production"}
	must(t, st.CreateEnvironment(ctx, env))
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
	_, err = svc.CreateRule(ctx, org.ID, u.ID, notify.RuleInput{ChannelID: ch.ID, ProjectID: proj.ID, Events: []string{notify.EventDriftFound}})
	must(t, err)

	disp := notify.NewDispatcher(svc, notify.DispatcherOptions{})
	for _, action := range []string{"environment.drifted", "environment.in_sync"} {
		must(t, ids.AppendAudit(ctx, &audit.Entry{ActorType: audit.ActorSystem, Action: action, TargetType: "environment", TargetID: env.ID,
			OrganizationID: org.ID, Outcome: audit.OutcomeSuccess, After: map[string]string{"objects": "3"}}))
		must(t, disp.RunOnce(ctx))
	}
	mu.Lock()
	defer mu.Unlock()
	if len(texts) != 1 || !strings.Contains(texts[0], "Drift found: environment production") {
		t.Fatalf("sent %q, want one drift found for environment production", texts)
	}
}

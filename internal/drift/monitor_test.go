package drift_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/drift"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/inventorystore"
	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// applied is web's Deployment as the engine applied it, with image.
func applied(ns, image string) map[string]any {
	return map[string]any{"apiVersion": "apps/v1", "kind": "Deployment",
		"metadata": map[string]any{"name": "web", "namespace": ns, "annotations": map[string]any{"capsule.dev/revision": "1"},
			"labels": map[string]any{"app.kubernetes.io/managed-by": "capsule", "capsule.dev/service": "web"}},
		"spec": map[string]any{"replicas": int64(1), "selector": map[string]any{"matchLabels": map[string]any{"app": "web"}},
			"template": map[string]any{"metadata": map[string]any{"labels": map[string]any{"app": "web"}},
				"spec": map[string]any{"containers": []any{map[string]any{"name": "app", "image": image}}}}}}
}

// TestMonitorStoresAuditsAndPublishesChanges: a check in sync stores
// its result quietly; drift is audited (system actor) and published once,
// an unchanged drift again is neither; back in sync is both again. An
// environment whose cluster no agent reported is skipped without error.
func TestMonitorStoresAuditsAndPublishesChanges(t *testing.T) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "capsule.db"), sqlstore.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	ids := identitystore.New(st)
	u := &capsule.User{Email: "a@example.com", Name: "A", PasswordHash: "hash"}
	must(t, st.CreateUser(ctx, u))
	org := &capsule.Organization{Name: "Acme", Slug: "acme"}
	must(t, st.CreateOrganization(ctx, org, u.ID))
	p := &capsule.Project{OrganizationID: org.ID, Name: "Shop", Slug: "shop"}
	must(t, st.CreateProject(ctx, p))
	cl := &capsule.Cluster{OrganizationID: org.ID, Name: "sim"}
	must(t, st.CreateCluster(ctx, cl))
	dark := &capsule.Cluster{OrganizationID: org.ID, Name: "dark"}
	must(t, st.CreateCluster(ctx, dark))
	env := &capsule.Environment{ProjectID: p.ID, Name: "staging", Kind: capsule.EnvStaging, ClusterID: cl.ID, Namespace: "shop"}
	must(t, st.CreateEnvironment(ctx, env))
	must(t, st.CreateEnvironment(ctx, &capsule.Environment{ProjectID: p.ID, Name: "production", Kind: capsule.EnvProduction, ClusterID: dark.ID}))
	svc := &capsule.Service{ProjectID: p.ID, Name: "web", Type: capsule.ServiceWeb}
	must(t, st.CreateService(ctx, svc, "alice"))

	// Deployed: web with image 1.
	d := &capsule.Deployment{ServiceID: svc.ID, EnvironmentID: env.ID, Version: "web:1"}
	must(t, st.StartDeployment(ctx, d, &sqlstore.DeployRun{Action: "deploy", Image: "web:1", Namespace: "shop"},
		&jobs.Job{Kind: "deploy", Key: "k", Payload: []byte("{}")}))
	kept, _ := json.Marshal([]map[string]any{applied("", "web:1")})
	must(t, st.SetDeployRunObjects(ctx, d.ID, "shop", kept))
	_, err = st.UpdateDeploymentProgress(ctx, d.ID, capsule.DeploymentRunning, "running", capsule.Replicas{})
	must(t, err)

	// The agent reports what runs.
	clock := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	istore := inventorystore.New(st)
	inv := inventory.New(inventory.Config{Store: istore, Now: func() time.Time { return clock }})
	tok, _, err := inv.IssueJoinToken(ctx, cl.ID, org.ID, u.ID, time.Hour)
	must(t, err)
	reg, err := inv.Register(ctx, agentproto.RegisterRequest{Version: 1, Token: tok, AgentVersion: "v1"}, "")
	must(t, err)
	agent, err := inv.Authenticate(ctx, reg.AgentID, reg.Credential)
	must(t, err)
	seq := uint64(1)
	report := func(image string) {
		t.Helper()
		body, _ := json.Marshal(applied("shop", image))
		o := agentproto.Object{Kind: "Deployment", Namespace: "shop", Name: "web", UID: "u1", ResourceVersion: image, Body: body}
		ack, err := inv.Snapshot(ctx, agent, agentproto.SnapshotPart{Version: 1, Session: "s1", Seq: seq, Final: true,
			Objects: []agentproto.Object{o}, Kinds: []string{"Deployment"}})
		must(t, err)
		if ack.Resync {
			t.Fatalf("snapshot refused: %+v", ack)
		}
		seq++
	}
	report("web:1")

	hub := events.NewHub(events.Options{})
	sub := hub.Subscribe(nil)
	m := &drift.Monitor{Checker: &drift.Checker{Reader: &envstate.Reader{Store: st, Inventory: istore}, Now: func() time.Time { return clock }},
		Store: st, Events: hub, Owner: "replica-a", Interval: time.Minute, Now: func() time.Time { return clock },
		Audit: func(ctx context.Context, e audit.Entry) context.Context {
			c, _ := ids.WithAuditUnit(ctx, e)
			return c
		}}
	sweep := func(wantStored int) {
		t.Helper()
		n, err := m.Sweep(ctx)
		if err != nil || n != wantStored {
			t.Fatalf("sweep at %s: stored %d, err %v; want %d", clock, n, err, wantStored)
		}
	}
	nextEvent := func() string {
		t.Helper()
		ectx, cancel := context.WithTimeout(ctx, 50*time.Millisecond)
		defer cancel()
		e, err := sub.Next(ectx)
		if err != nil {
			return ""
		}
		if e.Type != events.EnvironmentDrift || e.Scope.EnvironmentID != env.ID || e.Scope.OrganizationID != org.ID {
			t.Fatalf("event %+v", e)
		}
		return e.Message
	}
	actions := func() string {
		t.Helper()
		es, err := ids.ListAudit(ctx, identitystore.AuditFilter{TargetID: env.ID})
		must(t, err)
		var out []string
		for _, e := range es {
			if e.ActorType != audit.ActorSystem {
				t.Errorf("audit entry %s by %s, want the system", e.Action, e.ActorType)
			}
			out = append(out, e.Action)
		}
		return strings.Join(out, " ")
	}

	sweep(1) // in sync: stored, nothing else
	if rec, _ := st.FindDriftCheck(ctx, env.ID); rec == nil || !rec.InSync {
		t.Fatalf("first check: %+v", rec)
	}
	if msg := nextEvent(); msg != "" || actions() != "" {
		t.Fatalf("an in-sync first check published %q and audited %q", msg, actions())
	}
	clock = clock.Add(30 * time.Second)
	sweep(0) // not due: checked half an interval ago
	report("web:hotfix")
	clock = clock.Add(time.Minute)
	sweep(1)
	if msg := nextEvent(); !strings.Contains(msg, "environment staging drifted: 1 object(s)") {
		t.Fatalf("event after the drift: %q", msg)
	}
	rec, _ := st.FindDriftCheck(ctx, env.ID)
	if rec == nil || rec.InSync || !strings.Contains(string(rec.Summary), "web:hotfix") {
		t.Fatalf("stored drift: %+v", rec)
	}
	clock = clock.Add(time.Minute)
	sweep(1) // the same drift: stored again, not audited or published
	if msg := nextEvent(); msg != "" || actions() != "environment.drifted" {
		t.Fatalf("unchanged drift published %q, audit %q", msg, actions())
	}
	report("web:1")
	clock = clock.Add(time.Minute)
	sweep(1)
	if msg := nextEvent(); !strings.Contains(msg, "back in sync") || actions() != "environment.drifted environment.in_sync" {
		t.Fatalf("back in sync: event %q, audit %q", msg, actions())
	}
}

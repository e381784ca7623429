package promotion_test

import (
	"context"
	"encoding/json"
	"path/filepath"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/promotion"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// world is a project with staging and production and one service, on a
// real SQLite store.
type world struct {
	st            *sqlstore.Store
	svc           *capsule.Service
	proj          *capsule.Project
	staging, prod *capsule.Environment
	promo         *promotion.Service
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "capsule.db"), sqlstore.Options{})
	must(t, err)
	t.Cleanup(func() { _ = st.Close() })
	u := &capsule.User{Email: "alice@example.com", Name: "Alice", PasswordHash: "hash"}
	must(t, st.CreateUser(ctx, u))
	org := &capsule.Organization{Name: "Acme", Slug: "acme"}
	must(t, st.CreateOrganization(ctx, org, u.ID))
	w := &world{st: st, proj: &capsule.Project{OrganizationID: org.ID, Name: "Shop", Slug: "shop"}}
	must(t, st.CreateProject(ctx, w.proj))
	w.staging = &capsule.Environment{ProjectID: w.proj.ID, Name: "staging", Kind: capsule.EnvStaging}
	w.prod = &capsule.Environment{ProjectID: w.proj.ID, Name: "production", Kind: capsule.EnvProduction}
	must(t, st.CreateEnvironment(ctx, w.staging))
	must(t, st.CreateEnvironment(ctx, w.prod))
	w.svc = &capsule.Service{ProjectID: w.proj.ID, Name: "api", Type: capsule.ServiceAPI,
		Source: capsule.ServiceSource{Image: "ghcr.io/acme/api:1"},
		Config: capsule.ServiceConfig{Env: map[string]string{"LOG_LEVEL": "info"}, Networking: capsule.Networking{Port: 8080}}}
	must(t, st.CreateService(ctx, w.svc, "alice"))
	runs := promotion.DeployRuns{Store: st}
	w.promo = promotion.New(promotion.Config{Store: st, Current: promotion.EnvState{Reader: &envstate.Reader{Store: st}}, Releases: runs})
	return w
}

// released records a release of the service's current revision in env as
// the deployer's job leaves it: the run with the objects it rendered and
// applied, the deployment running.
func (w *world) released(t *testing.T, env *capsule.Environment, image string) *capsule.Deployment {
	t.Helper()
	ctx := context.Background()
	svc, err := w.st.FindService(ctx, w.svc.ID)
	must(t, err)
	rev, err := w.st.FindServiceRevision(ctx, svc.ID, svc.Revision)
	must(t, err)
	d := &capsule.Deployment{ServiceID: svc.ID, EnvironmentID: env.ID, Version: image, Replicas: capsule.Replicas{Desired: 1}}
	run := &sqlstore.DeployRun{Action: deployer.ActionDeploy, Image: image, Replicas: 1, Namespace: env.Namespace, ConfigRevision: svc.Revision}
	must(t, w.st.StartDeployment(ctx, d, run, &jobs.Job{Kind: deployer.JobKind, Key: "k" + env.ID, Payload: []byte("{}")}))
	rendered, err := deployer.Render(svc.Name, env.Name, env.Namespace, w.proj.Slug, rev, image, "", 1)
	must(t, err)
	objs, err := deploy.FromRendered(rendered)
	must(t, err)
	kept, err := json.Marshal(objs)
	must(t, err)
	must(t, w.st.SetDeployRunObjects(ctx, d.ID, env.Namespace, kept))
	_, err = w.st.UpdateDeploymentProgress(ctx, d.ID, capsule.DeploymentRunning, "ok", capsule.Replicas{Desired: 1, Running: 1, Ready: 1})
	must(t, err)
	return d
}

func (w *world) preview(t *testing.T, by string) *promotion.Previewed {
	t.Helper()
	p, err := w.promo.Preview(context.Background(), promotion.Request{ServiceID: w.svc.ID, SourceEnvID: w.staging.ID,
		TargetEnvID: w.prod.ID, RequestedBy: by})
	must(t, err)
	return p
}

// TestPreviewUnchangedRevisionShowsNoChange: production runs what staging
// runs, so the promotion adds, removes and changes nothing.
func TestPreviewUnchangedRevisionShowsNoChange(t *testing.T) {
	w := newWorld(t)
	w.released(t, w.staging, "ghcr.io/acme/api:1")
	w.released(t, w.prod, "ghcr.io/acme/api:1")
	p := w.preview(t, "alice")
	if s := p.Promotion.Summary; s != (capsule.PromotionSummary{}) || len(p.Preview.Diff.Changes) != 0 {
		t.Fatalf("unchanged revision: summary %+v, changes %+v", s, p.Preview.Diff.Changes)
	}
	if p.Promotion.CostDeltaMicros != 0 || p.Promotion.Status != capsule.PromotionPending {
		t.Fatalf("unchanged revision: %+v", p.Promotion)
	}
}

// TestPreviewChangedConfigShowsDiff: staging runs a newer configuration
// and image, and the diff names the production Deployment as modified.
func TestPreviewChangedConfigShowsDiff(t *testing.T) {
	w := newWorld(t)
	ctx := context.Background()
	w.released(t, w.prod, "ghcr.io/acme/api:1")
	w.svc.Config.Env["LOG_LEVEL"] = "debug"
	must(t, w.st.UpdateService(ctx, w.svc, "alice"))
	w.released(t, w.staging, "ghcr.io/acme/api:2")
	p := w.preview(t, "alice")
	if p.Promotion.Summary.Modified == 0 || p.Promotion.SourceRevision != 2 || p.Promotion.Image != "ghcr.io/acme/api:2" {
		t.Fatalf("changed config: %+v", p.Promotion)
	}
	found := false
	for _, m := range p.Preview.Diff.Modified {
		if m == "Deployment/api" {
			found = true
		}
	}
	if !found {
		t.Fatalf("modified objects %v do not name production's Deployment", p.Preview.Diff.Modified)
	}
	// The target never ran the service: everything is added.
	w2 := newWorld(t)
	w2.released(t, w2.staging, "ghcr.io/acme/api:1")
	if p := w2.preview(t, "alice"); p.Promotion.Summary.Added == 0 || p.Promotion.TargetSource != string(envstate.SourceNone) {
		t.Fatalf("first promotion: %+v", p.Promotion)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

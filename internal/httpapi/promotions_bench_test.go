package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// BenchmarkPromotionPreview200 measures POST /api/v1/promotions/preview
// over loopback into an environment of 200 objects: production's release
// kept the service's rendered objects and 194 ConfigMaps, staging runs a
// newer image and configuration. Each call renders, reads the target's
// state, diffs, prices, judges risks, explains and stores the promotion
// (superseding the previous one). It reports the p95 latency.
func BenchmarkPromotionPreview200(b *testing.B) {
	e := newEnv(b, sqliteDSN(b), unlimited)
	ctx := context.Background()
	st := e.st
	proj := &capsule.Project{OrganizationID: e.orgID, Name: "Shop", Slug: "shop"}
	must(b, st.CreateProject(ctx, proj))
	envs := map[string]*capsule.Environment{}
	for _, kind := range []string{capsule.EnvStaging, capsule.EnvProduction} {
		en := &capsule.Environment{ProjectID: proj.ID, Name: kind, Kind: kind}
		must(b, st.CreateEnvironment(ctx, en))
		envs[kind] = en
	}
	svc := &capsule.Service{ProjectID: proj.ID, Name: "web", Type: capsule.ServiceWeb, Source: capsule.ServiceSource{Image: "ghcr.io/acme/web:1"},
		Config: capsule.ServiceConfig{Env: map[string]string{"LEVEL": "info"}, Networking: capsule.Networking{Port: 8080}}}
	must(b, st.CreateService(ctx, svc, e.userID))
	benchRelease(b, st, proj, svc, envs[capsule.EnvProduction], "ghcr.io/acme/web:1", 200)
	svc.Config.Env["LEVEL"] = "debug"
	must(b, st.UpdateService(ctx, svc, e.userID))
	benchRelease(b, st, proj, svc, envs[capsule.EnvStaging], "ghcr.io/acme/web:2", 0)
	body := fmt.Sprintf(`{"service_id":%q,"source_env_id":%q,"target_env_id":%q}`, svc.ID, envs[capsule.EnvStaging].ID, envs[capsule.EnvProduction].ID)
	var took []time.Duration
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		start := time.Now()
		req, err := http.NewRequest("POST", e.srv.URL+"/api/v1/promotions/preview", strings.NewReader(body))
		must(b, err)
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.Header.Set("Content-Type", "application/json")
		resp, err := e.srv.Client().Do(req)
		must(b, err)
		var out struct {
			Summary capsule.PromotionSummary `json:"summary"`
		}
		err = json.NewDecoder(resp.Body).Decode(&out)
		resp.Body.Close()
		must(b, err)
		if resp.StatusCode != http.StatusCreated || out.Summary.Removed != 194 || out.Summary.Modified == 0 {
			b.Fatalf("status %d, summary %+v", resp.StatusCode, out.Summary)
		}
		took = append(took, time.Since(start))
	}
	b.StopTimer()
	slices.Sort(took)
	b.ReportMetric(float64(took[len(took)*95/100].Microseconds())/1000, "p95-ms")
}

// benchRelease records a running release of svc's current revision in env
// whose kept objects are the rendered ones plus ConfigMaps up to total.
func benchRelease(b *testing.B, st *sqlstore.Store, proj *capsule.Project, svc *capsule.Service, env *capsule.Environment, image string, total int) {
	b.Helper()
	ctx := context.Background()
	rev, err := st.FindServiceRevision(ctx, svc.ID, svc.Revision)
	must(b, err)
	d := &capsule.Deployment{ServiceID: svc.ID, EnvironmentID: env.ID, Version: image, Replicas: capsule.Replicas{Desired: 1}}
	run := &sqlstore.DeployRun{Action: deployer.ActionDeploy, Image: image, Replicas: 1, Namespace: env.Namespace, ConfigRevision: svc.Revision}
	must(b, st.StartDeployment(ctx, d, run, &jobs.Job{Kind: deployer.JobKind, Key: "bench/" + env.ID, Payload: []byte("{}")}))
	rendered, err := deployer.Render(svc.Name, env.Name, env.Namespace, proj.Slug, rev, image, "", 1)
	must(b, err)
	objs, err := deploy.FromRendered(rendered)
	must(b, err)
	var all []any
	for _, o := range objs {
		all = append(all, o.Object)
	}
	for i := len(all); i < total; i++ {
		all = append(all, map[string]any{"apiVersion": "v1", "kind": "ConfigMap",
			"metadata": map[string]any{"name": fmt.Sprintf("settings-%03d", i), "namespace": env.Namespace,
				"labels": map[string]any{"app.kubernetes.io/name": svc.Name}},
			"data": map[string]any{"LEVEL": "info", "INDEX": fmt.Sprint(i)}})
	}
	kept, err := json.Marshal(all)
	must(b, err)
	must(b, st.SetDeployRunObjects(ctx, d.ID, env.Namespace, kept))
	_, err = st.UpdateDeploymentProgress(ctx, d.ID, capsule.DeploymentRunning, "ok", capsule.Replicas{Desired: 1, Running: 1, Ready: 1})
	must(b, err)
}

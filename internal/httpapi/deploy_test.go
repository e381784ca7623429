package httpapi_test

import (
	"context"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestDeployRoutes: the deploy, rollback and scale routes validate before
// they record anything (404 for an unknown or foreign environment, 400
// naming a bad image, 409 naming what keeps Capsule from applying), record
// the deployment and its job with the audit entry, and queue a second
// deploy of the same service and environment behind the first.
func TestDeployRoutes(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "deploys")
		e := tm.e
		e.token = tm.tokens[rbac.Owner]
		ctx := context.Background()
		st := e.api.Store()
		newEnvironment := func(name, cluster, mode string) string {
			env := &capsule.Environment{ProjectID: f.project, Name: name, Kind: "development", ClusterID: cluster, DeliveryMode: mode}
			must(t, env.Validate())
			must(t, st.CreateEnvironment(ctx, env))
			return env.ID
		}
		bare := tm.newCluster(t, f.org, "bare")
		_, err := st.SetClusterCredential(ctx, bare, capsule.ClusterCheck{}) // no secret: no credential
		must(t, err)
		e.vars["svc"], e.vars["nocluster"] = f.service, f.prod
		e.vars["direct"] = newEnvironment("qa", f.cluster, capsule.DeliveryDirect)
		e.vars["gitops"] = newEnvironment("gitops", f.cluster, capsule.DeliveryGitOps)
		e.vars["nocred"] = newEnvironment("nocred", bare, capsule.DeliveryDirect)
		e.vars["foreign"] = tm.newFixture(t, "other-org").dev
		e.run(t, []call{
			{name: "unknown service", method: "POST", path: "/api/v1/services/00000000-0000-0000-0000-000000000000/deploy",
				body: `{"environmentId":"{direct}","image":"web:1"}`, status: 404, code: "SERVICE_NOT_FOUND"},
			{name: "unknown environment", method: "POST", path: "/api/v1/services/{svc}/deploy",
				body: `{"environmentId":"00000000-0000-0000-0000-000000000000","image":"web:1"}`, status: 404, code: "ENVIRONMENT_NOT_FOUND"},
			{name: "another project's environment", method: "POST", path: "/api/v1/services/{svc}/deploy",
				body: `{"environmentId":"{foreign}","image":"web:1"}`, status: 404, code: "ENVIRONMENT_NOT_FOUND"},
			{name: "bad image", method: "POST", path: "/api/v1/services/{svc}/deploy",
				body: `{"environmentId":"{direct}","image":"web:1:2"}`, status: 400, code: "VALIDATION_FAILED",
				check: func(t *testing.T, r *result) {
					if !strings.Contains(string(r.raw), "web:1:2") || !strings.Contains(strings.Join(r.errFields(), ","), "image") {
						t.Fatalf("the error does not name the image: %s", r.raw)
					}
				}},
			{name: "bad strategy", method: "POST", path: "/api/v1/services/{svc}/deploy",
				body: `{"environmentId":"{direct}","image":"web:1","strategy":"yolo"}`, status: 400, code: "VALIDATION_FAILED"},
			{name: "no cluster", method: "POST", path: "/api/v1/services/{svc}/deploy",
				body: `{"environmentId":"{nocluster}","image":"web:1"}`, status: 409, code: "ENVIRONMENT_HAS_NO_CLUSTER"},
			{name: "no credential", method: "POST", path: "/api/v1/services/{svc}/deploy",
				body: `{"environmentId":"{nocred}","image":"web:1"}`, status: 409, code: "CLUSTER_HAS_NO_CREDENTIAL"},
			{name: "gitops", method: "POST", path: "/api/v1/services/{svc}/deploy",
				body: `{"environmentId":"{gitops}","image":"web:1"}`, status: 409, code: "GITOPS_DELIVERY"},
			{name: "deploy", method: "POST", path: "/api/v1/services/{svc}/deploy",
				body: `{"environmentId":"{direct}","image":"ghcr.io/acme/web:1.0","replicas":2}`, status: 202, save: "first",
				check: func(t *testing.T, r *result) {
					if r.json["status"] != "pending" || r.json["revision"] != float64(1) || r.json["queued"] != false ||
						r.json["version"] != "ghcr.io/acme/web:1.0" || r.json["replicas"].(map[string]any)["desired"] != float64(2) {
						t.Fatalf("first deploy: %s", r.raw)
					}
				}},
			{name: "second deploy queues", method: "POST", path: "/api/v1/services/{svc}/deploy",
				body: `{"environmentId":"{direct}","image":"ghcr.io/acme/web:1.1"}`, status: 202, save: "second",
				check: func(t *testing.T, r *result) {
					if r.json["revision"] != float64(2) || r.json["queued"] != true || r.json["queuedBehind"] != e.vars["first"] {
						t.Fatalf("second deploy: %s", r.raw)
					}
				}},
			{name: "cancel the queued one", method: "POST", path: "/api/v1/deployments/{second}/cancel", status: 200,
				check: func(t *testing.T, r *result) {
					if r.json["status"] != "cancelled" {
						t.Fatalf("cancelled: %s", r.raw)
					}
				}},
			{name: "rollback with nothing deployed", method: "POST", path: "/api/v1/services/{svc}/rollback",
				body: `{"environmentId":"{direct}"}`, status: 409, code: "NOTHING_DEPLOYED"},
			{name: "scale without replicas", method: "POST", path: "/api/v1/services/{svc}/scale",
				body: `{"environmentId":"{direct}"}`, status: 400, code: "VALIDATION_FAILED"},
			{name: "scale with nothing deployed", method: "POST", path: "/api/v1/services/{svc}/scale",
				body: `{"environmentId":"{direct}","replicas":3}`, status: 409, code: "NOTHING_DEPLOYED"},
			{name: "logs: bad since", method: "GET", path: "/api/v1/deployments/{first}/logs?since=soon", status: 400, code: "VALIDATION_FAILED"},
		})
		// Each recorded deployment and job has its audit entry.
		var n int
		must(t, e.st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM jobs WHERE kind = 'deploy'").Scan(&n))
		if n != 2 {
			t.Fatalf("%d deploy jobs recorded, want 2", n)
		}
		must(t, e.st.DB().QueryRowContext(ctx, "SELECT COUNT(*) FROM audit_log WHERE action = 'services.deploy' AND outcome = 'success' AND target_id = '"+f.service+"'").Scan(&n))
		if n != 2 {
			t.Fatalf("%d successful deploy audit entries, want one per recorded deployment (2)", n)
		}
	})
}

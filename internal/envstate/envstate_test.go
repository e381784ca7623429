package envstate_test

import (
	"context"
	"encoding/json"
	"fmt"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/envstate"
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

// world is a project with two services and an environment on a cluster,
// in a real SQLite store.
type world struct {
	st       *sqlstore.Store
	inv      *inventory.Service
	org      *capsule.Organization
	cluster  *capsule.Cluster
	env      *capsule.Environment
	api, wrk *capsule.Service
	reader   *envstate.Reader
}

func newWorld(t *testing.T) *world {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "capsule.db"), sqlstore.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	w := &world{st: st}
	u := &capsule.User{Email: "a@example.com", Name: "A", PasswordHash: "hash"}
	must(t, st.CreateUser(ctx, u))
	w.org = &capsule.Organization{Name: "Acme", Slug: "acme"}
	must(t, st.CreateOrganization(ctx, w.org, u.ID))
	p := &capsule.Project{OrganizationID: w.org.ID, Name: "Shop", Slug: "shop"}
	must(t, st.CreateProject(ctx, p))
	w.cluster = &capsule.Cluster{OrganizationID: w.org.ID, Name: "sim"}
	must(t, st.CreateCluster(ctx, w.cluster))
	w.env = &capsule.Environment{ProjectID: p.ID, Name: "staging", Kind: capsule.EnvStaging, ClusterID: w.cluster.ID, Namespace: "shop-staging"}
	must(t, st.CreateEnvironment(ctx, w.env))
	w.api = &capsule.Service{ProjectID: p.ID, Name: "api", Type: capsule.ServiceAPI}
	must(t, st.CreateService(ctx, w.api, "alice"))
	w.wrk = &capsule.Service{ProjectID: p.ID, Name: "worker", Type: capsule.ServiceWorker}
	must(t, st.CreateService(ctx, w.wrk, "alice"))
	istore := inventorystore.New(st)
	w.inv = inventory.New(inventory.Config{Store: istore})
	w.reader = &envstate.Reader{Store: st, Inventory: istore}
	return w
}

// deployed records a deployment of svc that rolled out with objs kept,
// as the deployer does, and returns it.
func (w *world) deployed(t *testing.T, svc *capsule.Service, action string, replicas int, objs ...map[string]any) *capsule.Deployment {
	t.Helper()
	ctx := context.Background()
	d := &capsule.Deployment{ServiceID: svc.ID, EnvironmentID: w.env.ID, Version: "img:1", Replicas: capsule.Replicas{Desired: replicas}}
	j := &jobs.Job{Kind: "deploy", Key: "service:" + svc.ID + "/env:" + w.env.ID, Payload: []byte("{}")}
	must(t, w.st.StartDeployment(ctx, d, &sqlstore.DeployRun{Action: action, Image: "img:1", Replicas: replicas, Namespace: w.env.Namespace}, j))
	if len(objs) > 0 {
		b, err := json.Marshal(objs)
		must(t, err)
		must(t, w.st.SetDeployRunObjects(ctx, d.ID, w.env.Namespace, b))
	}
	_, err := w.st.UpdateDeploymentProgress(ctx, d.ID, capsule.DeploymentRunning, "running", capsule.Replicas{Desired: replicas})
	must(t, err)
	return d
}

// report registers an agent for the cluster and commits a full snapshot
// of objs.
func (w *world) report(t *testing.T, objs ...map[string]any) {
	t.Helper()
	ctx := context.Background()
	tok, _, err := w.inv.IssueJoinToken(ctx, w.cluster.ID, w.org.ID, "user-1", time.Hour)
	must(t, err)
	r, err := w.inv.Register(ctx, agentproto.RegisterRequest{Version: 1, Token: tok, AgentVersion: "v1"}, "")
	must(t, err)
	a, err := w.inv.Authenticate(ctx, r.AgentID, r.Credential)
	must(t, err)
	var out []agentproto.Object
	for i, m := range objs {
		u := unstructured.Unstructured{Object: m}
		body, err := json.Marshal(m)
		must(t, err)
		out = append(out, agentproto.Object{Kind: u.GetKind(), Namespace: u.GetNamespace(), Name: u.GetName(),
			UID: fmt.Sprint("uid-", i), ResourceVersion: "1", Body: body})
	}
	part := agentproto.SnapshotPart{Version: 1, Session: "s1", Seq: 1, Final: true, Objects: out,
		Kinds: []string{"Namespace", "Deployment", "ConfigMap", "Secret", "Pod", "Service"}}
	ack, err := w.inv.Snapshot(ctx, a, part)
	must(t, err)
	if ack.Resync {
		t.Fatalf("snapshot not taken: %+v", ack)
	}
}

func obj(kind, ns, name string, labels map[string]any) map[string]any {
	api := "v1"
	if kind == "Deployment" {
		api = "apps/v1"
	}
	md := map[string]any{"name": name}
	if ns != "" {
		md["namespace"] = ns
	}
	if labels != nil {
		md["labels"] = labels
	}
	m := map[string]any{"apiVersion": api, "kind": kind, "metadata": md}
	if kind == "Deployment" {
		m["spec"] = map[string]any{"replicas": int64(2)}
	}
	return m
}

func owned(svc string) map[string]any {
	return map[string]any{"app.kubernetes.io/managed-by": "capsule", "capsule.dev/service": svc}
}

// ids lists a state's objects as Kind/namespace/name.
func ids(st envstate.State) string {
	var out []string
	for _, o := range st.Objects {
		out = append(out, o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName())
	}
	return strings.Join(out, " ")
}

// TestStatesFollowDeploymentsAndTheAgent: without a deployment or an agent
// every state is none; a deployment that rolled out is the desired state
// as the engine applied it (namespace, owner labels, revision), a later
// scale changes its replicas; once an agent reported, the live state is
// what Capsule manages for the services asked about, nothing else.
func TestStatesFollowDeploymentsAndTheAgent(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	r := w.reader
	for name, read := range map[string]func(context.Context, *capsule.Environment, *capsule.Service) (envstate.State, error){
		"live": r.Live, "desired": r.Desired, "current": r.Current} {
		st, err := read(ctx, w.env, w.api)
		if err != nil || st.Source != envstate.SourceNone || len(st.Objects) != 0 {
			t.Fatalf("%s before anything: %+v %v", name, st, err)
		}
	}

	ns := map[string]any{"apiVersion": "v1", "kind": "Namespace", "metadata": map[string]any{"name": w.env.Namespace,
		"labels": map[string]any{"app.kubernetes.io/managed-by": "capsule"}}}
	failed := w.deployed(t, w.api, "deploy", 2, ns, obj("Deployment", "", "api", nil))
	_, err := w.st.UpdateDeploymentProgress(ctx, failed.ID, capsule.DeploymentFailed, "failed", capsule.Replicas{})
	must(t, err)
	if st, err := r.Desired(ctx, w.env, w.api); err != nil || st.Source != envstate.SourceNone {
		t.Fatalf("desired after a failed deployment only: %+v %v", st, err)
	}
	d := w.deployed(t, w.api, "deploy", 2, ns, obj("Deployment", "", "api", nil), obj("ConfigMap", "", "api-config", nil))
	w.deployed(t, w.wrk, "deploy", 1, ns, obj("Deployment", "", "worker", nil))
	st, err := r.Desired(ctx, w.env, w.api)
	must(t, err)
	if st.Source != envstate.SourceDeployment || st.DeploymentID != d.ID || st.Revision != d.Revision || st.ObservedAt.IsZero() {
		t.Fatalf("desired: source %s deployment %s revision %d at %v; want deployment %s revision %d", st.Source, st.DeploymentID, st.Revision, st.ObservedAt, d.ID, d.Revision)
	}
	if got, want := ids(st), "ConfigMap/shop-staging/api-config Deployment/shop-staging/api Namespace//shop-staging"; got != want {
		t.Fatalf("desired objects %q, want %q", got, want)
	}
	dep := st.Objects[1]
	if dep.GetLabels()["capsule.dev/service"] != "api" || dep.GetLabels()["app.kubernetes.io/managed-by"] != "capsule" ||
		dep.GetAnnotations()["capsule.dev/revision"] != fmt.Sprint(d.Revision) {
		t.Fatalf("desired Deployment lacks what the engine writes: %v %v", dep.GetLabels(), dep.GetAnnotations())
	}
	if cur, err := r.Current(ctx, w.env, w.api); err != nil || cur.Source != envstate.SourceDeployment {
		t.Fatalf("current without an agent: %+v %v", cur, err)
	}
	all, err := r.Desired(ctx, w.env, nil)
	must(t, err)
	if got, want := ids(all), "ConfigMap/shop-staging/api-config Deployment/shop-staging/api Deployment/shop-staging/worker Namespace//shop-staging"; got != want || len(all.Parts) != 2 || all.DeploymentID != "" {
		t.Fatalf("desired of the environment %q parts %+v, want %q", got, all.Parts, want)
	}

	w.deployed(t, w.api, "scale", 5)
	st, err = r.Desired(ctx, w.env, w.api)
	must(t, err)
	if n, _, _ := unstructured.NestedInt64(st.Objects[1].Object, "spec", "replicas"); n != 5 || st.DeploymentID != d.ID {
		t.Fatalf("desired after a scale to 5: replicas %d, deployment %s", n, st.DeploymentID)
	}

	w.report(t, ns,
		obj("Deployment", w.env.Namespace, "api", owned("api")),
		obj("Deployment", w.env.Namespace, "worker", owned("worker")),
		obj("Deployment", w.env.Namespace, "hand-made", nil),
		obj("Deployment", w.env.Namespace, "other", owned("not-in-this-project")),
		obj("Deployment", "elsewhere", "api", owned("api")),
		obj("Pod", w.env.Namespace, "api-5d8f-x", map[string]any{"app.kubernetes.io/name": "api"}),
		obj("Secret", w.env.Namespace, "capsule-release-api", map[string]any{"app.kubernetes.io/managed-by": "capsule", "capsule.dev/release-of": "api"}),
		obj("Namespace", "", "elsewhere", map[string]any{"app.kubernetes.io/managed-by": "capsule"}))
	live, err := r.Live(ctx, w.env, w.api)
	must(t, err)
	if got, want := ids(live), "Deployment/shop-staging/api Namespace//shop-staging"; live.Source != envstate.SourceAgent || got != want {
		t.Fatalf("live of api: %s %q, want %q", live.Source, got, want)
	}
	live, err = r.Live(ctx, w.env, nil)
	must(t, err)
	if got, want := ids(live), "Deployment/shop-staging/api Deployment/shop-staging/worker Namespace//shop-staging"; got != want {
		t.Fatalf("live of the environment %q, want %q", got, want)
	}
	if cur, err := r.Current(ctx, w.env, w.api); err != nil || cur.Source != envstate.SourceAgent {
		t.Fatalf("current with an agent: %+v %v", cur, err)
	}
}

// gitPath is a Git source that knows one environment.
type gitPath struct{ env string }

func (g gitPath) Desired(_ context.Context, env *capsule.Environment, _ *capsule.Service) (envstate.State, bool, error) {
	if env.ID != g.env {
		return envstate.State{}, false, nil
	}
	return envstate.State{Source: envstate.SourceGit}, true, nil
}

// TestGitSourceAnswersFirst: an environment the Git source knows takes its
// desired state from there; others fall back to their deployments.
func TestGitSourceAnswersFirst(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.deployed(t, w.api, "deploy", 1, obj("Deployment", "", "api", nil))
	r := *w.reader
	r.Git = gitPath{env: w.env.ID}
	if st, err := r.Desired(ctx, w.env, w.api); err != nil || st.Source != envstate.SourceGit {
		t.Fatalf("with a Git path: %+v %v", st, err)
	}
	r.Git = gitPath{env: "another"}
	if st, err := r.Desired(ctx, w.env, w.api); err != nil || st.Source != envstate.SourceDeployment {
		t.Fatalf("without one: %+v %v", st, err)
	}
}

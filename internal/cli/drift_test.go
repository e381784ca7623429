package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"sort"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/drift"
	"github.com/usecapsule/capsule/internal/envdiff"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/server"
	"github.com/usecapsule/capsule/internal/testenv"
)

func randomName(prefix string) string {
	var b [4]byte
	_, _ = rand.Read(b[:])
	return prefix + hex.EncodeToString(b[:])
}

// startAgentFor runs `capsule agent` for cluster (read-only identity)
// against the server at url until the test ends.
func startAgentFor(t *testing.T, kc *testenv.Cluster, url, cluster string) {
	t.Helper()
	out := mustRun(t, "clusters", "join-token", cluster)
	m := regexp.MustCompile(`--set joinToken=(cjt_[A-Za-z0-9_-]+)`).FindStringSubmatch(out)
	if m == nil {
		t.Fatalf("join-token output:\n%s", out)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	args := []string{"agent", "--server", url, "--token", m[1], "--kubeconfig", kc.ReadOnlyKubeconfig,
		"--egress-allow", "127.0.0.1/32", "--state-file", filepath.Join(t.TempDir(), "agent.json")}
	go func() { done <- Main(ctx, args, strings.NewReader(""), io.Discard, io.Discard) }()
	t.Cleanup(func() { cancel(); <-done })
}

// driftLines renders a drift result as "status Kind/name path" lines,
// sorted, values left out (they are checked where they matter).
func driftLines(r drift.Result) []string {
	var out []string
	for _, o := range r.Objects {
		if len(o.Changes) == 0 {
			out = append(out, string(o.Status)+" "+o.Kind+"/"+o.Name)
		}
		for _, c := range o.Changes {
			out = append(out, string(o.Status)+" "+o.Kind+"/"+o.Name+" "+c.Path)
		}
	}
	sort.Strings(out)
	return out
}

// driftOf runs `capsule drift ENV -o json`.
func driftOf(t *testing.T, env string) (drift.Result, result) {
	t.Helper()
	r := run(t, "", "drift", env, "--project", "shop", "-o", "json")
	var res drift.Result
	if r.code == 0 || r.code == ExitDrift {
		if err := json.Unmarshal([]byte(r.out), &res); err != nil {
			t.Fatalf("drift -o json: %v\n%s", err, r.out)
		}
	}
	return res, r
}

// awaitDrift polls `capsule drift` until its lines are want (the agent
// reports changes within seconds), failing with the last answer.
func awaitDrift(t *testing.T, env string, want []string) drift.Result {
	t.Helper()
	deadline := time.Now().Add(60 * time.Second)
	for {
		res, r := driftOf(t, env)
		got := driftLines(res)
		wantCode := ExitOK
		if len(want) > 0 {
			wantCode = ExitDrift
		}
		if r.code == wantCode && strings.Join(got, "\n") == strings.Join(want, "\n") {
			return res
		}
		if time.Now().After(deadline) {
			t.Fatalf("drift of %s: exit %d, want %d\ngot:\n%s\nwant:\n%s\nstderr: %s", env, r.code, wantCode,
				strings.Join(got, "\n"), strings.Join(want, "\n"), r.err)
		}
		time.Sleep(500 * time.Millisecond)
	}
}

// TestDriftEndToEnd deploys services (autoscaled, blue-green, with an
// Ingress, a worker) to two
// environments on the simulated cluster with the real server and agent:
// right after the deploys nothing has drifted (no false positive from
// defaults, status, server-set fields or the autoscaler), the two
// environments differ only by the image; then kubectl-style edits (scale,
// set image, delete a ConfigMap, add a label) are reported exactly.
func TestDriftEndToEnd(t *testing.T) {
	kc := testenv.Shared(t)
	url := startServerWith(t, t.TempDir(), func(o *server.Options) {
		o.EgressAllow = "127.0.0.1"
		o.DeployProgressDeadline = 30 * time.Second
		o.JobPoll = 100 * time.Millisecond
		o.DriftInterval = time.Second
	})
	loginTo(t, url)
	staging, production := randomName("drift-s-"), randomName("drift-p-")

	mustRun(t, "clusters", "add", "sim", "--kubeconfig", kc.Kubeconfig)
	mustRun(t, "projects", "create", "Shop")
	mustRun(t, "envs", "create", "staging", "--project", "shop", "--cluster", "sim", "--namespace", staging)
	mustRun(t, "envs", "create", "production", "--project", "shop", "--cluster", "sim", "--namespace", production)
	mustRun(t, "envs", "create", "local", "--project", "shop")
	mustRun(t, "services", "create", "web", "--project", "shop", "--type", "web", "--port", "8080", "--env", "LOG_LEVEL=info")
	mustRun(t, "services", "create", "api", "--project", "shop", "--type", "api", "--port", "9090", "--min-replicas", "2", "--max-replicas", "4")
	// An Ingress with its class and TLS, HTTP probes, explicit resources,
	// and a worker with the recreate strategy: more server defaults that
	// must not read as drift.
	mustRun(t, "services", "create", "-f", writeFile(t, "site.yaml", `name: site
projectId: shop
type: web
configuration:
  resources: {cpuRequest: 100m, memoryRequest: 128Mi, cpuLimit: "1", memoryLimit: 256Mi}
  networking: {port: 3000, public: true, domains: [site.example.com], healthCheckPath: /healthz}
`))
	mustRun(t, "services", "create", "bg", "--project", "shop", "--type", "web", "--port", "8080", "--strategy", "blue-green")
	mustRun(t, "services", "create", "-f", writeFile(t, "jobs.yaml", `name: jobs
projectId: shop
type: worker
configuration:
  strategy: {type: recreate}
  env: {QUEUE: default}
`))

	// Nothing to compare without a cluster, or before an agent reported.
	if _, r := driftOf(t, "local"); r.code != ExitError || !strings.Contains(r.err, "ENVIRONMENT_HAS_NO_CLUSTER") {
		t.Fatalf("drift of an environment without a cluster: exit %d: %s", r.code, r.err)
	}
	if _, r := driftOf(t, "staging"); r.code != ExitError || !strings.Contains(r.err, "LIVE_STATE_UNAVAILABLE") {
		t.Fatalf("drift before an agent reported: exit %d: %s", r.code, r.err)
	}

	for _, d := range []struct{ svc, env, image string }{
		{"web", "staging", "ghcr.io/acme/web:1.0"}, {"api", "staging", "ghcr.io/acme/api:1.0"},
		{"web", "production", "ghcr.io/acme/web:0.9"}, {"api", "production", "ghcr.io/acme/api:1.0"},
		{"site", "staging", "ghcr.io/acme/site:1.0"}, {"jobs", "staging", "ghcr.io/acme/jobs:1.0"},
		// Blue-green twice: the second release serves in the other colour.
		{"bg", "staging", "ghcr.io/acme/bg:1.0"}, {"bg", "staging", "ghcr.io/acme/bg:2.0"},
	} {
		mustRun(t, "deploy", d.svc, "--env", d.env, "--image", d.image, "--wait", "--timeout", "2m")
	}
	c, _, err := clientFromConfig("")
	must(t, err)
	ectx, stopEvents := context.WithCancel(context.Background())
	defer stopEvents()
	stream, err := c.Events(ectx, apiclient.EventFilter{})
	must(t, err)
	driftEvents := make(chan events.Event, 16)
	go func() {
		for {
			e, err := stream.Next(ectx)
			if err != nil {
				return
			}
			if e.Type == events.EnvironmentDrift {
				driftEvents <- e
			}
		}
	}()
	startAgentFor(t, kc, url, "sim")

	// Right after the deploys: in sync, in both environments.
	res := awaitDrift(t, "staging", nil)
	if res.DesiredSource != "deployment" || res.LiveSource != "agent" || res.CheckedAt.IsZero() {
		t.Fatalf("in-sync result: %+v", res)
	}
	awaitDrift(t, "production", nil)
	awaitStoredDrift(t, "staging", true, 0)
	if out := mustRun(t, "drift", "staging", "--project", "shop"); !strings.Contains(out, "environment staging is in sync") {
		t.Fatalf("drift text when in sync:\n%s", out)
	}

	// The environments differ by web's image, nothing else.
	var d envdiff.Result
	if err := json.Unmarshal([]byte(mustRun(t, "diff", "staging", "production", "--project", "shop", "--service", "web", "-o", "json")), &d); err != nil {
		t.Fatal(err)
	}
	var paths []string
	for _, c := range d.Diff.Changes {
		paths = append(paths, c.Resource+" "+c.Path)
	}
	sort.Strings(paths)
	if d.Identical || len(d.Diff.Added)+len(d.Diff.Removed) != 0 || strings.Join(paths, "\n") != "Deployment/web /spec/template/spec/containers/0/image" {
		t.Fatalf("diff staging production:\n%s", strings.Join(paths, "\n"))
	}
	if out := mustRun(t, "diff", "staging", "production", "--project", "shop", "--service", "api"); !strings.Contains(out, "run the same objects") {
		t.Fatalf("diff of api, deployed alike:\n%s", out)
	}
	// Services deployed to staging only are objects production lacks.
	out := mustRun(t, "diff", "staging", "production", "--project", "shop")
	for _, want := range []string{"- Ingress/site (only in staging)", "- Deployment/jobs (only in staging)", "~ Deployment/web", "/spec/template/spec/containers/0/image: ghcr.io/acme/web:1.0 → ghcr.io/acme/web:0.9"} {
		if !strings.Contains(out, want) {
			t.Errorf("diff text lacks %q:\n%s", want, out)
		}
	}

	// Edits behind Capsule's back.
	kubectl(t, kc, "scale", "deployment/web", "-n", staging, "--replicas=3")
	kubectl(t, kc, "set", "image", "deployment/web", "-n", staging, "app=ghcr.io/acme/web:hotfix")
	kubectl(t, kc, "delete", "configmap", "web-env", "-n", staging)
	kubectl(t, kc, "label", "service", "web", "-n", staging, "edited-by=hand")
	kubectl(t, kc, "scale", "deployment/api", "-n", staging, "--replicas=3") // the autoscaler's to decide: not drift
	res = awaitDrift(t, "staging", []string{
		"missing ConfigMap/web-env",
		"modified Deployment/web /spec/replicas",
		"modified Deployment/web /spec/template/spec/containers/0/image",
		"modified Service/web /metadata/labels/edited-by",
	})
	for _, o := range res.Objects {
		for _, c := range o.Changes {
			if c.Path == "/spec/template/spec/containers/0/image" && (c.Desired != "ghcr.io/acme/web:1.0" || c.Live != "ghcr.io/acme/web:hotfix") {
				t.Errorf("image change %+v", c)
			}
		}
	}
	// The periodic check stores it, audits the change and publishes it.
	awaitStoredDrift(t, "staging", false, 3)
	select {
	case e := <-driftEvents:
		// The check may run between two edits: the first event names what it saw then.
		if !strings.Contains(e.Message, "environment staging drifted: ") || e.Scope.EnvironmentID == "" || e.Scope.ProjectID == "" {
			t.Fatalf("environment.drift event %+v", e)
		}
	case <-time.After(20 * time.Second):
		t.Fatal("no environment.drift event after the edits")
	}
	if out := mustRun(t, "audit", "logs", "--action", "environment.drifted", "-o", "json"); !strings.Contains(out, `"actorType": "system"`) {
		t.Fatalf("audit of the drift:\n%s", out)
	}
	r := run(t, "", "drift", "staging", "--project", "shop")
	if r.code != ExitDrift || !strings.Contains(r.out, "has drifted: 3 object(s)") || !strings.Contains(r.out, "ghcr.io/acme/web:hotfix") ||
		!strings.Contains(r.err, "has drifted") {
		t.Fatalf("drift text: exit %d\n%s\n%s", r.code, r.out, r.err)
	}
	awaitDrift(t, "production", nil) // the other namespace is untouched
}

// awaitStoredDrift polls the environment until the periodic check stored
// inSync with objects drifted objects.
func awaitStoredDrift(t *testing.T, env string, inSync bool, objects int) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for {
		var e struct {
			Drift *struct {
				InSync    bool           `json:"inSync"`
				CheckedAt time.Time      `json:"checkedAt"`
				Objects   []drift.Object `json:"objects"`
			} `json:"drift"`
		}
		out := mustRun(t, "envs", "get", env, "-o", "json")
		must(t, json.Unmarshal([]byte(out), &e))
		if e.Drift != nil && e.Drift.InSync == inSync && len(e.Drift.Objects) == objects && !e.Drift.CheckedAt.IsZero() {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("stored drift of %s: want inSync %v with %d objects:\n%s", env, inSync, objects, out)
		}
		time.Sleep(300 * time.Millisecond)
	}
}

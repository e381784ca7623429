package cli

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/server"
	"github.com/usecapsule/capsule/internal/testenv"
)

// deployedWorkload is what kubectl shows of the service's Deployment.
type deployedWorkload struct {
	image                  string
	replicas, ready, total int
}

func workloadOf(t *testing.T, kc *testenv.Cluster, ns, service string) deployedWorkload {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := kc.Kubectl(ctx, "get", "deploy", "-n", ns, "-l", "capsule.dev/service="+service, "-o", "json")
	if err != nil {
		t.Fatalf("kubectl get deploy: %v\n%s", err, out)
	}
	var list struct {
		Items []struct {
			Spec struct {
				Replicas int `json:"replicas"`
				Template struct {
					Spec struct {
						Containers []struct {
							Image string `json:"image"`
						} `json:"containers"`
					} `json:"spec"`
				} `json:"template"`
			} `json:"spec"`
			Status struct {
				ReadyReplicas int `json:"readyReplicas"`
				Replicas      int `json:"replicas"`
			} `json:"status"`
		} `json:"items"`
	}
	must(t, json.Unmarshal(out, &list))
	if len(list.Items) != 1 || len(list.Items[0].Spec.Template.Spec.Containers) == 0 {
		t.Fatalf("want one Deployment of %s in %s, kubectl shows:\n%s", service, ns, out)
	}
	it := list.Items[0]
	return deployedWorkload{image: it.Spec.Template.Spec.Containers[0].Image, replicas: it.Spec.Replicas,
		ready: it.Status.ReadyReplicas, total: it.Status.Replicas}
}

func kubectl(t *testing.T, kc *testenv.Cluster, args ...string) string {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	out, err := kc.Kubectl(ctx, args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

// TestDeployEndToEnd drives capsule deploy, rollback, scale, status and
// logs against the real server and the simulated cluster: a deploy that
// runs, one that cannot roll out (a pod quota leaves no room for the new
// pod) and is rolled back automatically, a manual rollback to revision 1,
// a scale to 3, and the errors of an environment without a cluster and of
// a cluster that serves no pod logs.
func TestDeployEndToEnd(t *testing.T) {
	kc := testenv.Shared(t)
	url := startServerWith(t, t.TempDir(), func(o *server.Options) {
		o.EgressAllow = "127.0.0.1"
		o.DeployProgressDeadline = 20 * time.Second
		o.JobPoll = 100 * time.Millisecond
	})
	loginTo(t, url)
	var b [4]byte
	_, _ = rand.Read(b[:])
	ns := "dw-" + hex.EncodeToString(b[:])

	mustRun(t, "clusters", "add", "sim", "--kubeconfig", kc.Kubeconfig)
	mustRun(t, "projects", "create", "Shop")
	mustRun(t, "envs", "create", "staging", "--project", "shop", "--cluster", "sim", "--namespace", ns)
	mustRun(t, "envs", "create", "local", "--project", "shop")
	mustRun(t, "services", "create", "web", "--project", "shop", "--type", "web", "--port", "8080")

	// The deployments' events, as a watcher sees them.
	c, _, err := clientFromConfig("")
	must(t, err)
	ectx, stopEvents := context.WithCancel(context.Background())
	defer stopEvents()
	stream, err := c.Events(ectx, apiclient.EventFilter{})
	must(t, err)
	seen := make(chan events.Event, 1024)
	go func() {
		defer close(seen)
		for {
			e, err := stream.Next(ectx)
			if err != nil {
				return
			}
			seen <- e
		}
	}()

	// 1. A deploy that rolls out.
	r := run(t, "", "deploy", "web", "--env", "staging", "--image", "ghcr.io/acme/web:1.0", "--wait", "--timeout", "2m")
	if r.code != 0 || !strings.Contains(r.out, "revision 1") || !strings.Contains(r.out, "running") || strings.Contains(r.err, "no live events") {
		t.Fatalf("first deploy: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.out, r.err)
	}
	if w := workloadOf(t, kc, ns, "web"); w.image != "ghcr.io/acme/web:1.0" || w.ready != w.replicas || w.replicas < 1 {
		t.Fatalf("after the first deploy the cluster runs %+v", w)
	}

	// 2. A quota of one pod leaves no room for the rolling update's new
	// pod: the engine names the quota and rolls back to revision 1.
	kubectl(t, kc, "create", "quota", "one-pod", "-n", ns, "--hard=pods=1")
	waitFor(t, func() bool {
		return strings.TrimSpace(kubectl(t, kc, "get", "quota", "one-pod", "-n", ns, "-o", "jsonpath={.status.used.pods}")) == "1"
	})
	r = run(t, "", "deploy", "web", "--env", "staging", "--image", "ghcr.io/acme/web:2.0", "--wait", "--timeout", "2m")
	if r.code != ExitDeployFailed || !strings.Contains(r.err, "rolled back") {
		t.Fatalf("deploy into a full quota: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.out, r.err)
	}
	if w := workloadOf(t, kc, ns, "web"); w.image != "ghcr.io/acme/web:1.0" {
		t.Fatalf("after the automatic rollback the cluster runs %+v", w)
	}
	status := mustRun(t, "status", "web", "--env", "staging", "-o", "json")
	var hist []map[string]any
	must(t, json.Unmarshal([]byte(status), &hist))
	if len(hist) != 2 || hist[0]["status"] != "rolled_back" || hist[1]["status"] != "running" {
		t.Fatalf("status after the rollback:\n%s", status)
	}
	kubectl(t, kc, "delete", "quota", "one-pod", "-n", ns)
	// Revision 1 started, progressed and completed; revision 2 failed,
	// with the quota named.
	byDeployment := map[string][]events.Type{}
	var failure string
	for len(byDeployment[fmt.Sprint(hist[0]["id"])]) == 0 || byDeployment[fmt.Sprint(hist[0]["id"])][len(byDeployment[fmt.Sprint(hist[0]["id"])])-1] != events.DeploymentFailed {
		select {
		case e := <-seen:
			byDeployment[e.Scope.DeploymentID] = append(byDeployment[e.Scope.DeploymentID], e.Type)
			if e.Type == events.DeploymentFailed {
				failure = e.Message
			}
		case <-time.After(10 * time.Second):
			t.Fatalf("no deployment.failed event for the rolled back deployment; events: %v", byDeployment)
		}
	}
	first := byDeployment[fmt.Sprint(hist[1]["id"])]
	if len(first) < 3 || first[0] != events.DeploymentStarted || !slices.Contains(first, events.DeploymentProgress) || first[len(first)-1] != events.DeploymentCompleted {
		t.Fatalf("events of revision 1: %v", first)
	}
	if !strings.Contains(failure, "rolled_back") || !strings.Contains(failure, "quota") {
		t.Fatalf("deployment.failed of revision 2 says %q", failure)
	}

	// 3. Revision 3 rolls out; a manual rollback puts revision 1 back.
	mustRun(t, "deploy", "web", "--env", "staging", "--image", "ghcr.io/acme/web:3.0", "--wait", "--timeout", "2m")
	if w := workloadOf(t, kc, ns, "web"); w.image != "ghcr.io/acme/web:3.0" {
		t.Fatalf("after revision 3 the cluster runs %+v", w)
	}
	out := mustRun(t, "rollback", "web", "--env", "staging", "--revision", "1", "--wait", "--timeout", "2m")
	if !strings.Contains(out, "running") {
		t.Fatalf("rollback:\n%s", out)
	}
	if w := workloadOf(t, kc, ns, "web"); w.image != "ghcr.io/acme/web:1.0" || w.ready != w.replicas {
		t.Fatalf("after the rollback to revision 1 the cluster runs %+v", w)
	}
	if r := run(t, "", "rollback", "web", "--env", "staging", "--revision", "2"); r.code != ExitError || !strings.Contains(r.err, "never rolled out") {
		t.Fatalf("rollback to a revision that never ran: exit %d: %s", r.code, r.err)
	}

	// 4. Scale to 3.
	mustRun(t, "scale", "web", "--env", "staging", "--replicas", "3", "--wait", "--timeout", "2m")
	if w := workloadOf(t, kc, ns, "web"); w.replicas != 3 || w.ready != 3 {
		t.Fatalf("after scaling to 3 the cluster runs %+v", w)
	}
	if out := mustRun(t, "status", "web", "--env", "staging"); !strings.Contains(out, "running") || !strings.Contains(out, "3/3") {
		t.Fatalf("status after scaling:\n%s", out)
	}

	// 5. Errors: no cluster; no kubelet serves the simulated pods' logs.
	if r := run(t, "", "deploy", "web", "--env", "local", "--image", "ghcr.io/acme/web:1.0"); r.code != ExitError ||
		!strings.Contains(r.err, "ENVIRONMENT_HAS_NO_CLUSTER") {
		t.Fatalf("deploy to an environment without a cluster: exit %d: %s", r.code, r.err)
	}
	if r := run(t, "", "logs", "web", "--env", "staging", "--since", "10m"); r.code != ExitError ||
		!strings.Contains(r.err, "POD_LOGS_UNAVAILABLE") || !strings.Contains(r.err, "web-") {
		t.Fatalf("logs of simulated pods: exit %d\nstdout:\n%s\nstderr:\n%s", r.code, r.out, r.err)
	}
}

func waitFor(t *testing.T, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatal("condition not met in 30s")
		}
		time.Sleep(200 * time.Millisecond)
	}
}

// TestCancelRunningDeploy: a deploy whose pods cannot be scheduled (a CPU
// request no node has) keeps deploying; capsule deployments cancel stops
// it within a heartbeat and the record says cancelled.
func TestCancelRunningDeploy(t *testing.T) {
	kc := testenv.Shared(t)
	url := startServerWith(t, t.TempDir(), func(o *server.Options) {
		o.EgressAllow = "127.0.0.1"
		o.DeployProgressDeadline = 2 * time.Minute
		o.JobPoll = 100 * time.Millisecond
		o.JobLease = 3 * time.Second
	})
	loginTo(t, url)
	var b [4]byte
	_, _ = rand.Read(b[:])
	ns := "dwc-" + hex.EncodeToString(b[:])
	mustRun(t, "clusters", "add", "sim", "--kubeconfig", kc.Kubeconfig)
	mustRun(t, "projects", "create", "Shop")
	mustRun(t, "envs", "create", "staging", "--project", "shop", "--cluster", "sim", "--namespace", ns)
	c, _, err := clientFromConfig("")
	must(t, err)
	pid, err := resolveRef(context.Background(), c, "projects", "shop")
	must(t, err)
	must(t, c.Do(context.Background(), "POST", "/api/v1/services", map[string]any{"projectId": pid, "name": "hog", "type": "web",
		"configuration": map[string]any{"networking": map[string]any{"port": 8080},
			"resources": map[string]any{"cpuRequest": "500", "cpuLimit": "500"}}}, nil))

	out := mustRun(t, "deploy", "hog", "--env", "staging", "--image", "ghcr.io/acme/hog:1")
	id := strings.TrimSuffix(strings.Fields(out)[1], ":")
	read := func() deploymentView {
		var d deploymentView
		must(t, c.Do(context.Background(), "GET", "/api/v1/deployments/"+id, nil, &d))
		return d
	}
	waitFor(t, func() bool { return strings.Contains(read().Message, "rolling_out") })
	mustRun(t, "deployments", "cancel", id)
	waitFor(t, func() bool { return read().Status == "cancelled" })
	if d := read(); !strings.Contains(d.Message, "cancelled") {
		t.Fatalf("cancelled deployment: %+v", d)
	}
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/testenv"
	"github.com/usecapsule/capsule/internal/testenv/kubebin"
)

func devRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestDevClusterUpStatusDown(t *testing.T) {
	bins, err := kubebin.Default()
	if err == nil {
		err = bins.Check()
	}
	if err != nil {
		t.Fatal(err) // `up` would build for 15 minutes; tests never build
	}
	dir := filepath.Join(t.TempDir(), "dev")
	t.Cleanup(func() { _ = testenv.StopDetached(dir) }) // even if the test fails midway

	code, out, errOut := devRun(t, "dev", "cluster", "up", "--dir", dir, "--nodes", "2", "--node-cpu", "8", "--node-memory", "32Gi")
	if code != 0 {
		t.Fatalf("up: exit %d\n%s", code, errOut)
	}
	kubeconfig := filepath.Join(dir, "admin.kubeconfig")
	if !strings.Contains(out, "export KUBECONFIG="+kubeconfig) || !strings.Contains(out, "2 nodes") {
		t.Errorf("up output does not say how to use the cluster:\n%s", out)
	}
	for _, want := range []string{"8 CPU, 32Gi memory, 110 pods, m5.2xlarge", "memory in use: ", "capsule dev cluster scale"} {
		if !strings.Contains(out, want) {
			t.Errorf("up output does not say %q (how big the cluster is):\n%s", want, out)
		}
	}
	if code, _, errOut := devRun(t, "dev", "cluster", "up", "--dir", dir); code == 0 || !strings.Contains(errOut, "already running") {
		t.Errorf("second up: exit %d, stderr %q; want a failure saying it is already running", code, errOut)
	}

	code, out, errOut = devRun(t, "dev", "cluster", "status", "--dir", dir, "-o", "json")
	if code != 0 {
		t.Fatalf("status: exit %d: %s", code, errOut)
	}
	var st devClusterStatus
	if err := json.Unmarshal([]byte(out), &st); err != nil {
		t.Fatalf("status -o json: %v\n%s", err, out)
	}
	if !st.Running || st.Health == nil || !st.Health.Ready || st.Health.ReadyNodes != 2 || st.Health.NotReadyNodes != 0 || len(st.Components) != 5 {
		t.Errorf("status = %+v (health %+v), want running, ready, 2 ready nodes, 5 components", st, st.Health)
	}
	if st.MemoryBytes < 50<<20 || st.NodeShape == nil || st.NodeShape.CPU != "8" {
		t.Errorf("status memory %d bytes, node shape %+v; want the components' resident memory and the shape given to up", st.MemoryBytes, st.NodeShape)
	}

	if code, out, errOut := devRun(t, "dev", "cluster", "scale", "--dir", dir, "--nodes", "3"); code != 0 || !strings.Contains(out, "3 nodes") {
		t.Fatalf("scale: exit %d, out %q, err %q", code, out, errOut)
	}
	kubectl := exec.Command(bins.Kubectl(), "--kubeconfig", kubeconfig, "create", "deployment", "web", "--image=nginx:1.27", "--replicas=4")
	if b, err := kubectl.CombinedOutput(); err != nil {
		t.Fatalf("kubectl create deployment: %v\n%s", err, b)
	}
	var table string
	deadline := time.Now().Add(90 * time.Second)
	for {
		_, table, _ = devRun(t, "dev", "cluster", "status", "--dir", dir)
		if strings.Contains(table, "4 Ready, Pending 0, Running 4") {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("status never reported 4 Ready pods:\n%s", table)
		}
		time.Sleep(500 * time.Millisecond)
	}
	if !strings.Contains(table, "3 Ready, 0 NotReady") || !strings.Contains(table, "memory") {
		t.Errorf("status table does not report nodes Ready/NotReady and memory:\n%s", table)
	}
	state, err := testenv.LoadState(dir)
	if err != nil {
		t.Fatal(err)
	}

	if code, out, errOut := devRun(t, "dev", "cluster", "down", "--dir", dir); code != 0 || !strings.Contains(out, "stopped") {
		t.Fatalf("down: exit %d, out %q, err %q", code, out, errOut)
	}
	for name, pid := range state.PIDs {
		if testenv.Alive(pid) {
			t.Errorf("%s (pid %d) still runs after down", name, pid)
		}
	}
	if code, out, _ := devRun(t, "dev", "cluster", "status", "--dir", dir); code != ExitError || !strings.Contains(out, "not running") {
		t.Errorf("status after down: exit %d, out %q; want exit 1 and 'not running'", code, out)
	}
	if _, err := os.Stat(filepath.Join(dir, "logs")); err != nil {
		t.Errorf("down removed the logs: %v", err)
	}
}

func TestDevClusterUpRejectsBadFlags(t *testing.T) {
	for _, tc := range []struct {
		args []string
		want string
	}{
		{[]string{"--nodes", "0"}, "--nodes"},
		{[]string{"--nodes", "5000"}, "--nodes"},
		{[]string{"--node-cpu", "four"}, "node CPU"},
		{[]string{"--node-memory", "0"}, "node memory"},
		{[]string{"--node-pods", "1.5"}, "node pods"},
		{[]string{"--node-zones", "us east"}, "node zone"},
		{[]string{"--pod-stages", "sometimes"}, "--pod-stages"},
		{[]string{"--pod-stages", "slow:soon"}, "not a duration"},
	} {
		args := append([]string{"dev", "cluster", "up", "--dir", t.TempDir()}, tc.args...)
		code, _, errOut := devRun(t, args...)
		if code != ExitUsage || !strings.Contains(errOut, tc.want) {
			t.Errorf("up %v: exit %d, stderr %q; want a usage error naming %q", tc.args, code, errOut, tc.want)
		}
	}
}

func TestDevClusterScaleNeedsNodesAndARunningCluster(t *testing.T) {
	if code, _, errOut := devRun(t, "dev", "cluster", "scale", "--dir", t.TempDir()); code != ExitUsage || !strings.Contains(errOut, "--nodes is required") {
		t.Errorf("scale without --nodes: exit %d, stderr %q", code, errOut)
	}
	code, _, errOut := devRun(t, "dev", "cluster", "scale", "--dir", t.TempDir(), "--nodes", "4")
	if code != ExitError || !strings.Contains(errOut, "no dev cluster is running") || !strings.Contains(errOut, "capsule dev cluster up") {
		t.Errorf("scale with nothing running: exit %d, stderr %q; want exit 1 saying to run up", code, errOut)
	}
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

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

	code, out, errOut := devRun(t, "dev", "cluster", "up", "--dir", dir, "--nodes", "2")
	if code != 0 {
		t.Fatalf("up: exit %d\n%s", code, errOut)
	}
	kubeconfig := filepath.Join(dir, "admin.kubeconfig")
	if !strings.Contains(out, "export KUBECONFIG="+kubeconfig) || !strings.Contains(out, "2 nodes") {
		t.Errorf("up output does not say how to use the cluster:\n%s", out)
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
	if !st.Running || st.Health == nil || !st.Health.Ready || st.Health.ReadyNodes != 2 || len(st.Components) != 5 {
		t.Errorf("status = %+v (health %+v), want running, ready, 2 ready nodes, 5 components", st, st.Health)
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

func TestDevClusterUpRejectsBadNodeCount(t *testing.T) {
	code, _, errOut := devRun(t, "dev", "cluster", "up", "--nodes", "0", "--dir", t.TempDir())
	if code != ExitUsage || !strings.Contains(errOut, "--nodes") {
		t.Errorf("exit %d, stderr %q; want usage error naming --nodes", code, errOut)
	}
}

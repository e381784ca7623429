package cli

import (
	"context"
	"encoding/json"
	"io"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/server"
	"github.com/usecapsule/capsule/internal/testenv"
)

// TestClusterAgentThroughTheCLI installs nothing but runs what the printed
// helm command would: `capsule agent` with the join token from
// `capsule clusters join-token`, against the simulated cluster (read-only
// identity) and the real server, until `capsule clusters status` shows it
// online with the cluster's objects counted; the token then is spent.
func TestClusterAgentThroughTheCLI(t *testing.T) {
	kc := testenv.Shared(t)
	url := startServerWith(t, t.TempDir(), func(o *server.Options) { o.EgressAllow = "127.0.0.1" })
	loginTo(t, url)
	mustRun(t, "clusters", "add", "agent-e2e", "--kubeconfig", kc.Kubeconfig)

	out := mustRun(t, "clusters", "join-token", "agent-e2e")
	m := regexp.MustCompile(`--set joinToken=(cjt_[A-Za-z0-9_-]+)`).FindStringSubmatch(out)
	if m == nil || !strings.Contains(out, "helm install capsule-agent "+DefaultAgentChart) || !strings.Contains(out, "--set server="+url) {
		t.Fatalf("join-token output:\n%s", out)
	}
	token := m[1]

	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan int, 1)
	args := []string{"agent", "--server", url, "--token", token, "--kubeconfig", kc.ReadOnlyKubeconfig,
		"--egress-allow", "127.0.0.1/32", "--state-file", filepath.Join(t.TempDir(), "agent.json")}
	go func() { done <- Main(ctx, args, strings.NewReader(""), io.Discard, io.Discard) }()
	t.Cleanup(func() { cancel(); <-done })

	deadline := time.Now().Add(60 * time.Second)
	for {
		var st clusterStatus
		if err := json.Unmarshal([]byte(mustRun(t, "clusters", "status", "agent-e2e", "-o", "json")), &st); err != nil {
			t.Fatal(err)
		}
		if st.Status == "online" && st.Counts["Node"] > 0 && st.Counts["Namespace"] > 0 && st.AgentVersion != "" && st.KubeVersion != "" {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent is not online with objects after 60s: %+v", st)
		}
		time.Sleep(200 * time.Millisecond)
	}
	table := mustRun(t, "clusters", "status", "agent-e2e")
	for _, want := range []string{"online", "LAST HEARTBEAT", "Node", "Namespace", "v1.34"} {
		if !strings.Contains(table, want) {
			t.Errorf("clusters status lacks %q:\n%s", want, table)
		}
	}
	if r := run(t, "", "agent", "--server", url, "--token", token, "--kubeconfig", kc.ReadOnlyKubeconfig, "--egress-allow", "127.0.0.1/32"); r.code == 0 || !strings.Contains(r.err, "JOIN_TOKEN_INVALID") {
		t.Fatalf("second use of the join token: exit %d: %s", r.code, r.err)
	}
}

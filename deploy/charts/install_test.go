package charts

import (
	"context"
	"log/slog"
	"net/http/httptest"
	"net/netip"
	"path/filepath"
	"sort"
	"strings"
	"testing"
	"time"

	"helm.sh/helm/v3/pkg/action"
	"helm.sh/helm/v3/pkg/chart/loader"
	"k8s.io/cli-runtime/pkg/genericclioptions"
	"k8s.io/client-go/rest"

	"github.com/usecapsule/capsule/internal/agent"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/token"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/sqlstore"
	"github.com/usecapsule/capsule/internal/testenv"
)

// helmConfig is the Helm SDK's configuration for namespace ns of the test
// cluster, through its admin kubeconfig, as the helm command builds it.
func helmConfig(t *testing.T, c *testenv.Cluster, ns string) *action.Configuration {
	t.Helper()
	flags := genericclioptions.NewConfigFlags(false)
	flags.KubeConfig = &c.Kubeconfig
	flags.Namespace = &ns
	cfg := new(action.Configuration)
	if err := cfg.Init(flags, ns, "secret", func(format string, v ...any) { t.Logf("helm: "+format, v...) }); err != nil {
		t.Fatal(err)
	}
	return cfg
}

// install installs the chart in dir as release in ns, as `helm install`.
func install(t *testing.T, c *testenv.Cluster, dir, release, ns string, vals map[string]any) {
	t.Helper()
	ch, err := loader.Load(dir)
	if err != nil {
		t.Fatal(err)
	}
	in := action.NewInstall(helmConfig(t, c, ns))
	in.ReleaseName, in.Namespace, in.Timeout = release, ns, time.Minute
	rel, err := in.RunWithContext(context.Background(), ch, vals)
	if err != nil {
		t.Fatalf("helm install %s: %v", dir, err)
	}
	if rel.Info.Status != "deployed" {
		t.Fatalf("helm install %s: status %s", dir, rel.Info.Status)
	}
}

func kubectl(t *testing.T, c *testenv.Cluster, args ...string) string {
	t.Helper()
	out, err := c.Kubectl(context.Background(), args...)
	if err != nil {
		t.Fatalf("kubectl %s: %v\n%s", strings.Join(args, " "), err, out)
	}
	return strings.TrimSpace(string(out))
}

// canI answers `kubectl auth can-i` for the service account; kubectl exits
// 1 on "no", so the answer is read from its output.
func canI(t *testing.T, c *testenv.Cluster, sa string, args ...string) string {
	t.Helper()
	out, _ := c.Kubectl(context.Background(), append([]string{"auth", "can-i", "--as=" + sa}, args...)...)
	return strings.TrimSpace(string(out))
}

func TestInstallOnCluster(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	ns := c.Namespace(t)

	install(t, c, controlChart, "capsule", ns, nil)
	for _, obj := range []string{"deployment/capsule", "service/capsule", "secret/capsule-keys", "pvc/capsule-data"} {
		kubectl(t, c, "-n", ns, "get", obj)
	}
	key := kubectl(t, c, "-n", ns, "get", "secret", "capsule-keys", "-o", "jsonpath={.data.masterKey}")
	if key == "" {
		t.Fatal("the keys Secret has no masterKey")
	}
	// An upgrade keeps the generated keys: new ones could not decrypt the
	// stored secrets.
	ch, err := loader.Load(controlChart)
	if err != nil {
		t.Fatal(err)
	}
	up := action.NewUpgrade(helmConfig(t, c, ns))
	up.Namespace = ns
	if _, err := up.RunWithContext(context.Background(), "capsule", ch, map[string]any{"adminEmail": "ops@example.com"}); err != nil {
		t.Fatalf("helm upgrade: %v", err)
	}
	if after := kubectl(t, c, "-n", ns, "get", "secret", "capsule-keys", "-o", "jsonpath={.data.masterKey}"); after != key {
		t.Fatalf("helm upgrade replaced the master key")
	}

	// PostgreSQL allows replicas; SQLite refuses them before anything is applied.
	install(t, c, controlChart, "capsule-ha", ns, map[string]any{"replicas": 2, "database": map[string]any{"url": "postgres://capsule@db/capsule"}})
	if got := kubectl(t, c, "-n", ns, "get", "deployment", "capsule-ha", "-o", "jsonpath={.spec.replicas}"); got != "2" {
		t.Errorf("capsule-ha replicas %s, want 2", got)
	}
	kubectl(t, c, "-n", ns, "get", "secret", "capsule-ha-database")
	in := action.NewInstall(helmConfig(t, c, ns))
	in.ReleaseName, in.Namespace = "capsule-sqlite", ns
	if _, err := in.RunWithContext(context.Background(), ch, map[string]any{"replicas": 2}); err == nil || !strings.Contains(err.Error(), "more than one replica needs PostgreSQL") {
		t.Errorf("helm install with replicas 2 and SQLite: %v", err)
	}
	if out, err := c.Kubectl(context.Background(), "-n", ns, "get", "deployment", "capsule-sqlite"); err == nil {
		t.Errorf("the refused release created its Deployment:\n%s", out)
	}

	// The release name is unique per namespace: ClusterRoles are cluster-wide.
	release := "agent-" + ns
	install(t, c, agentChart, release, ns, map[string]any{"server": "https://capsule.example.com", "joinToken": "cjt_unused"})
	name := release + "-capsule-agent"
	for _, obj := range []string{"deployment/" + name, "serviceaccount/" + name, "clusterrole/" + name, "clusterrolebinding/" + name, "secret/" + name + "-join-token"} {
		kubectl(t, c, "-n", ns, "get", obj)
	}
	sa := "system:serviceaccount:" + ns + ":" + name
	for _, q := range []struct {
		args []string
		want string
	}{
		{[]string{"list", "pods", "--all-namespaces"}, "yes"},
		{[]string{"watch", "deployments.apps", "--all-namespaces"}, "yes"},
		{[]string{"list", "secrets", "--all-namespaces"}, "yes"},
		{[]string{"create", "pods", "-n", ns}, "no"},
		{[]string{"delete", "deployments.apps", "-n", ns}, "no"},
		{[]string{"update", "secrets", "-n", ns}, "no"},
		{[]string{"create", "pods/exec", "-n", ns}, "no"},
	} {
		if got := canI(t, c, sa, q.args...); got != q.want {
			t.Errorf("can %s %v? %q, want %q", sa, q.args, got, q.want)
		}
	}

	// kwok runs no containers, so the agent runs in-process with the chart's
	// service account's token: it must sync every kind it watches with the
	// chart's RBAC and report the release it was installed by.
	tok := kubectl(t, c, "-n", ns, "create", "token", name, "--duration=10m")
	kube := rest.AnonymousClientConfig(c.Config)
	kube.BearerToken = tok
	cp := startControlPlane(t)
	cluster := "cluster-" + ns
	jt, _, err := cp.IssueJoinToken(context.Background(), cluster, "org-1", "user-1", time.Minute)
	if err != nil {
		t.Fatal(err)
	}
	allow := netip.MustParsePrefix("127.0.0.0/8")
	a, err := agent.New(agent.Options{Server: cp.url, Token: jt, StateFile: filepath.Join(t.TempDir(), "state.json"), Kube: kube,
		HTTP: egress.New(egress.Options{Allow: []netip.Prefix{allow}}), Version: "test", Heartbeat: 500 * time.Millisecond,
		Logger: slog.New(slog.NewTextHandler(testLog{t}, nil))})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	defer func() {
		cancel()
		if err := <-done; err != nil {
			t.Errorf("agent: %v", err)
		}
	}()
	deadline := time.Now().Add(90 * time.Second)
	for {
		rels, err := cp.HelmReleases(context.Background(), cluster)
		if err != nil {
			t.Fatal(err)
		}
		found := map[string]string{}
		for _, r := range rels {
			if r.Namespace == ns {
				found[r.Name] = r.Chart
			}
		}
		if found[release] == agentChart && found["capsule"] == controlChart {
			break
		}
		if time.Now().After(deadline) {
			t.Fatalf("the agent with the chart's service account did not report both releases; found %v", found)
		}
		time.Sleep(200 * time.Millisecond)
	}
	deps, err := cp.Objects(context.Background(), cluster, "Deployment", ns)
	if err != nil {
		t.Fatal(err)
	}
	var names []string
	for _, d := range deps {
		names = append(names, d.Name)
	}
	sort.Strings(names)
	if want := []string{name, "capsule", "capsule-ha"}; strings.Join(names, ",") != strings.Join(want, ",") {
		t.Fatalf("deployments reported in %s: %v, want %v", ns, names, want)
	}
}

// controlPlane is a real Capsule API over a real SQLite store on 127.0.0.1.
type controlPlane struct {
	*inventory.Service
	url string
}

func startControlPlane(t *testing.T) controlPlane {
	t.Helper()
	st, err := sqlstore.Open(context.Background(), filepath.Join(t.TempDir(), "capsule.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	api, err := httpapi.New(httpapi.Config{Store: st, Tokens: token.NewIssuer([]byte(strings.Repeat("k", 32)), token.DefaultTTL),
		Access: httpapi.AccessConfig{Identity: identitystore.New(st)}})
	if err != nil {
		t.Fatal(err)
	}
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return controlPlane{Service: api.Inventory(), url: srv.URL}
}

type testLog struct{ t *testing.T }

func (w testLog) Write(p []byte) (int, error) {
	w.t.Log(strings.TrimSpace(string(p)))
	return len(p), nil
}

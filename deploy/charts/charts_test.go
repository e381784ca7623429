// Package charts holds the Helm charts of the control plane (capsule) and
// the read-only cluster agent (capsule-agent). It has no Go code: its tests
// lint and render both charts with the Helm SDK, check the agent's RBAC is
// read-only, and install both on the simulated cluster. Helm is imported
// only here, in tests, so the capsule binary never links it.
package charts

import (
	"fmt"
	"os"
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"sigs.k8s.io/yaml"

	"github.com/usecapsule/capsule/internal/cli"
	"github.com/usecapsule/capsule/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	agentChart   = "capsule-agent"
	controlChart = "capsule"
)

// agentValues are what `capsule clusters join-token` sets.
func agentValues() map[string]any {
	return map[string]any{"server": "https://capsule.example.com", "joinToken": "cjt_example"}
}

// object is one rendered manifest, decoded.
type object map[string]any

func (o object) kind() string { s, _ := o["kind"].(string); return s }

func (o object) name() string {
	m, _ := o["metadata"].(map[string]any)
	s, _ := m["name"].(string)
	return s
}

// render renders the chart in dir as release "rel" in namespace "ns" and
// returns its objects by "Kind/name".
func render(t *testing.T, dir string, vals map[string]any) (map[string]object, error) {
	t.Helper()
	ch, err := loader.Load(dir)
	if err != nil {
		t.Fatalf("load %s: %v", dir, err)
	}
	rv, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: "rel", Namespace: "ns", IsInstall: true}, chartutil.DefaultCapabilities)
	if err != nil {
		return nil, err
	}
	files, err := engine.Render(ch, rv)
	if err != nil {
		return nil, err
	}
	out := map[string]object{}
	for name, text := range files {
		if !strings.HasSuffix(name, ".yaml") {
			continue
		}
		for _, doc := range strings.Split(text, "\n---") {
			var o object
			if err := yaml.Unmarshal([]byte(doc), &o); err != nil {
				t.Fatalf("%s: %v", name, err)
			}
			if o == nil {
				continue
			}
			out[o.kind()+"/"+o.name()] = o
		}
	}
	return out, nil
}

func mustRender(t *testing.T, dir string, vals map[string]any) map[string]object {
	t.Helper()
	objs, err := render(t, dir, vals)
	if err != nil {
		t.Fatalf("render %s: %v", dir, err)
	}
	return objs
}

func TestChartsLintClean(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		dir  string
		vals map[string]any
	}{
		{agentChart, agentValues()},
		{controlChart, nil},
		{controlChart, map[string]any{"replicas": 3, "database": map[string]any{"url": "postgres://capsule@db/capsule"},
			"ingress": map[string]any{"enabled": true, "tls": map[string]any{"secretName": "capsule-tls"}}}},
	} {
		for _, m := range lintProblems(tc.dir, tc.vals) {
			t.Errorf("helm lint %s %v: %s", tc.dir, tc.vals, m)
		}
	}
}

// lintProblems is `helm lint`'s warnings and errors (not its suggestions).
func lintProblems(dir string, vals map[string]any) []support.Message {
	var out []support.Message
	for _, m := range lint.AllWithKubeVersion(dir, vals, "ns", nil).Messages {
		if m.Severity > support.InfoSev {
			out = append(out, m)
		}
	}
	return out
}

// TestLintCatchesBrokenCharts proves the lint check can fail.
func TestLintCatchesBrokenCharts(t *testing.T) {
	t.Parallel()
	dir := copyChart(t, controlChart)
	path := filepath.Join(dir, "templates", "service.yaml")
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, append(b, []byte("  {{ .Values.service.port\n")...), 0o644); err != nil {
		t.Fatal(err)
	}
	if len(lintProblems(dir, nil)) == 0 {
		t.Fatal("helm lint found nothing wrong with an unterminated template action")
	}
}

// readOnlyViolations lists every rule of the rendered ClusterRoles and
// Roles that allows more than get, list and watch on named resources.
func readOnlyViolations(objs map[string]object) []string {
	allowed := map[string]bool{"get": true, "list": true, "watch": true}
	var bad []string
	roles := 0
	for key, o := range objs {
		if o.kind() != "ClusterRole" && o.kind() != "Role" {
			continue
		}
		roles++
		rules, _ := o["rules"].([]any)
		for i, r := range rules {
			rule, _ := r.(map[string]any)
			if _, ok := rule["nonResourceURLs"]; ok {
				bad = append(bad, fmt.Sprintf("%s rule %d: nonResourceURLs", key, i))
			}
			for _, field := range []string{"apiGroups", "resources", "verbs"} {
				vals, _ := rule[field].([]any)
				for _, v := range vals {
					s, _ := v.(string)
					if strings.Contains(s, "*") {
						bad = append(bad, fmt.Sprintf("%s rule %d: wildcard %s %q", key, i, field, s))
					} else if field == "verbs" && !allowed[s] {
						bad = append(bad, fmt.Sprintf("%s rule %d: verb %q", key, i, s))
					}
				}
			}
		}
	}
	if roles == 0 {
		bad = append(bad, "no ClusterRole or Role rendered")
	}
	sort.Strings(bad)
	return bad
}

func TestAgentClusterRoleIsReadOnly(t *testing.T) {
	t.Parallel()
	objs := mustRender(t, agentChart, agentValues())
	if bad := readOnlyViolations(objs); len(bad) > 0 {
		t.Fatalf("the agent chart grants more than get/list/watch:\n%s", strings.Join(bad, "\n"))
	}
}

// TestReadOnlyCheckCatchesWrites proves the check above can fail: copies of
// the chart whose ClusterRole gains a write verb or a wildcard are refused.
func TestReadOnlyCheckCatchesWrites(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct{ from, to, want string }{
		{"verbs: [get, list, watch]", "verbs: [get, list, watch, create]", `verb "create"`},
		{"resources: [deployments,", "resources: [\"*\", deployments,", `wildcard resources "*"`},
		{"verbs: [get, list, watch]", "verbs: [\"*\"]", `wildcard verbs "*"`},
	} {
		dir := copyChart(t, agentChart)
		path := filepath.Join(dir, "templates", "clusterrole.yaml")
		b, err := os.ReadFile(path)
		if err != nil {
			t.Fatal(err)
		}
		if !strings.Contains(string(b), tc.from) {
			t.Fatalf("clusterrole.yaml has no %q to mutate", tc.from)
		}
		if err := os.WriteFile(path, []byte(strings.Replace(string(b), tc.from, tc.to, 1)), 0o644); err != nil {
			t.Fatal(err)
		}
		bad := readOnlyViolations(mustRender(t, dir, agentValues()))
		if !strings.Contains(strings.Join(bad, "\n"), tc.want) {
			t.Errorf("mutation %q -> %q: violations %v, want one with %s", tc.from, tc.to, bad, tc.want)
		}
	}
}

func copyChart(t *testing.T, name string) string {
	t.Helper()
	dst := filepath.Join(t.TempDir(), name)
	err := filepath.WalkDir(name, func(path string, d os.DirEntry, err error) error {
		if err != nil {
			return err
		}
		target := filepath.Join(dst, strings.TrimPrefix(path, name))
		if d.IsDir() {
			return os.MkdirAll(target, 0o755)
		}
		b, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		return os.WriteFile(target, b, 0o644)
	})
	if err != nil {
		t.Fatal(err)
	}
	return dst
}

// TestJoinTokenCommandMatchesChart keeps `capsule clusters join-token`'s
// printed helm command and the agent chart in step: the chart's name ends
// the OCI reference, and the values it sets exist.
func TestJoinTokenCommandMatchesChart(t *testing.T) {
	t.Parallel()
	if !strings.HasSuffix(cli.DefaultAgentChart, "/"+agentChart) {
		t.Errorf("the join-token command installs %s, not the %s chart", cli.DefaultAgentChart, agentChart)
	}
	ch, err := loader.Load(agentChart)
	if err != nil {
		t.Fatal(err)
	}
	for _, v := range []string{"server", "joinToken"} {
		if _, ok := ch.Values[v]; !ok {
			t.Errorf("the join-token command sets %s, which the agent chart's values.yaml lacks", v)
		}
	}
}

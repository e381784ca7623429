package risk

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/golden"
	"github.com/usecapsule/capsule/internal/quantity"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

// A case file holds sections "-- name --" (txtar style): current.yaml,
// proposed.yaml, optional cluster.yaml and options.yaml, and want.json.
func TestGolden(t *testing.T) {
	files, err := filepath.Glob("testdata/cases/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no cases: %v", err)
	}
	for _, file := range files {
		t.Run(strings.TrimSuffix(filepath.Base(file), ".txt"), func(t *testing.T) {
			runCase(t, file)
		})
	}
}

type caseOptions struct {
	KubeVersion    string `json:"kubeVersion"`
	BaselineCents  *int64 `json:"baselineCents"`
	ProjectedCents int64  `json:"projectedCents"`
}

func runCase(t *testing.T, file string) {
	t.Helper()
	raw, err := os.ReadFile(file)
	if err != nil {
		t.Fatal(err)
	}
	names, sections := splitSections(t, raw)
	in := Input{Current: objects(t, sections["current.yaml"]), Proposed: objects(t, sections["proposed.yaml"])}
	if c, ok := sections["cluster.yaml"]; ok {
		in.Cluster = cluster(t, c)
	}
	if o, ok := sections["options.yaml"]; ok {
		var opts caseOptions
		if err := yaml.UnmarshalStrict([]byte(o), &opts); err != nil {
			t.Fatalf("options.yaml: %v", err)
		}
		in.KubeVersion = opts.KubeVersion
		if opts.BaselineCents != nil {
			in.Cost = &CostChange{BaselineCents: *opts.BaselineCents, ProjectedCents: opts.ProjectedCents}
		}
	}
	rep, err := Evaluate(Default(), in)
	if err != nil {
		t.Fatal(err)
	}
	got, err := json.MarshalIndent(rep, "", "  ")
	if err != nil {
		t.Fatal(err)
	}
	got = append(got, '\n')
	if golden.Update() {
		sections["want.json"] = string(got)
		if !contains(names, "want.json") {
			names = append(names, "want.json")
		}
		if err := os.WriteFile(file, joinSections(names, sections), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	if want := sections["want.json"]; string(got) != want {
		t.Errorf("findings differ (run with -update to accept)\n--- got\n%s\n--- want\n%s", got, want)
	}
}

func splitSections(t testing.TB, raw []byte) ([]string, map[string]string) {
	t.Helper()
	var names []string
	out := map[string]string{}
	cur := ""
	for _, line := range strings.SplitAfter(string(raw), "\n") {
		trim := strings.TrimSpace(line)
		if strings.HasPrefix(trim, "-- ") && strings.HasSuffix(trim, " --") {
			cur = strings.TrimSuffix(strings.TrimPrefix(trim, "-- "), " --")
			names = append(names, cur)
			out[cur] = ""
			continue
		}
		if cur != "" {
			out[cur] += line
		}
	}
	return names, out
}

func joinSections(names []string, sections map[string]string) []byte {
	var b bytes.Buffer
	for _, n := range names {
		b.WriteString("-- " + n + " --\n")
		b.WriteString(sections[n])
	}
	return b.Bytes()
}

func objects(t *testing.T, text string) []*unstructured.Unstructured {
	t.Helper()
	var out []*unstructured.Unstructured
	for i, doc := range strings.Split(text, "\n---") {
		if strings.TrimSpace(doc) == "" {
			continue
		}
		var m map[string]any
		if err := yaml.Unmarshal([]byte(doc), &m); err != nil {
			t.Fatalf("document %d: %v", i, err)
		}
		if m != nil {
			out = append(out, &unstructured.Unstructured{Object: m})
		}
	}
	return out
}

// testCluster is cluster.yaml: quantities as Kubernetes writes them.
type testCluster struct {
	Quotas []struct {
		Namespace, Name string
		Hard, Used      map[string]string
	}
	LimitRanges []struct {
		Namespace, Name string
		Min, Max        map[string]string
	}
	Nodes []struct {
		Name                   string
		Allocatable, Requested map[string]string
		Labels                 map[string]string
	}
	ConfigMaps, Secrets []string
}

func cluster(t *testing.T, text string) *Cluster {
	t.Helper()
	var tc testCluster
	if err := yaml.UnmarshalStrict([]byte(text), &tc); err != nil {
		t.Fatalf("cluster.yaml: %v", err)
	}
	q := func(m map[string]string) map[string]int64 {
		out := map[string]int64{}
		for k, v := range m {
			n, ok := quantity.Milli(v)
			if !ok {
				t.Fatalf("cluster.yaml: bad quantity %q", v)
			}
			out[k] = n
		}
		return out
	}
	c := &Cluster{ConfigMaps: map[string]bool{}, Secrets: map[string]bool{}}
	for _, x := range tc.Quotas {
		c.Quotas = append(c.Quotas, Quota{Namespace: x.Namespace, Name: x.Name, Hard: q(x.Hard), Used: q(x.Used)})
	}
	for _, x := range tc.LimitRanges {
		c.LimitRanges = append(c.LimitRanges, LimitRange{Namespace: x.Namespace, Name: x.Name, Min: q(x.Min), Max: q(x.Max)})
	}
	for _, x := range tc.Nodes {
		c.Nodes = append(c.Nodes, Node{Name: x.Name, Allocatable: q(x.Allocatable), Requested: q(x.Requested), Labels: x.Labels})
	}
	for _, n := range tc.ConfigMaps {
		c.ConfigMaps[n] = true
	}
	for _, n := range tc.Secrets {
		c.Secrets[n] = true
	}
	return c
}

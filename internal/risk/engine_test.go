package risk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"
)

func TestLevels(t *testing.T) {
	for sev, want := range map[float64]Level{0: LevelLow, 3.9: LevelLow, 4: LevelMedium, 6.9: LevelMedium, 7: LevelHigh, 8.9: LevelHigh, 9: LevelCritical, 10: LevelCritical} {
		if got := LevelOf(sev); got != want {
			t.Errorf("LevelOf(%g) = %s, want %s", sev, got, want)
		}
	}
	high, _ := ParseLevel("high")
	if !LevelCritical.Reaches(high) || !LevelHigh.Reaches(high) || LevelMedium.Reaches(high) || !LevelLow.Reaches(LevelLow) || LevelLow.Reaches(LevelMedium) {
		t.Error("Reaches is wrong")
	}
	if _, err := ParseLevel("severe"); err == nil || !strings.Contains(err.Error(), "severe") {
		t.Errorf("ParseLevel(severe) = %v", err)
	}
	// Resolved findings do not count towards the level.
	fs := []Finding{{Severity: 9, Status: StatusResolved}, {Severity: 4, Status: StatusUnchanged}}
	if got := levelOf(fs); got != LevelMedium {
		t.Errorf("levelOf = %s, want medium", got)
	}
}

func TestParseVersion(t *testing.T) {
	for in, want := range map[string]Version{"1.34": {1, 34}, "v1.25.3": {1, 25}, " 1.9 ": {1, 9}} {
		if got, err := ParseVersion(in); err != nil || got != want {
			t.Errorf("ParseVersion(%q) = %v, %v", in, got, err)
		}
	}
	for _, bad := range []string{"", "1", "one.two", "1.x", "1.2.3.4", "0.5"} {
		if _, err := ParseVersion(bad); err == nil {
			t.Errorf("ParseVersion(%q) accepted", bad)
		}
	}
	if _, err := Evaluate(Default(), Input{KubeVersion: "latest"}); err == nil || !strings.Contains(err.Error(), `"latest"`) {
		t.Errorf("Evaluate with bad version: %v", err)
	}
}

func TestRegistry(t *testing.T) {
	r := NewRegistry()
	rule := setRule{Meta{"x", "rbac", 1}, func(Meta, *Context) []Finding { return nil }}
	if err := r.Register(rule); err != nil {
		t.Fatal(err)
	}
	if err := r.Register(rule); err == nil {
		t.Error("duplicate ID accepted")
	}
	if err := r.Register(setRule{Meta{"y", "no-such-category", 1}, nil}); err == nil {
		t.Error("unknown category accepted")
	}
	seen := map[string]bool{}
	for _, rule := range Default().Rules() {
		m := rule.Meta()
		if m.Severity < 0 || m.Severity > 10 {
			t.Errorf("%s: severity %g out of range", m.ID, m.Severity)
		}
		seen[m.Category] = true
	}
	for c := range Categories {
		if !seen[c] {
			t.Errorf("no rule in category %s", c)
		}
	}
}

// FuzzEvaluate feeds arbitrary YAML documents as both sets: rules read
// untyped maps, and no shape of input may make them panic.
func FuzzEvaluate(f *testing.F) {
	for _, s := range []string{
		"kind: Deployment\nmetadata: {name: a}\nspec: {replicas: 2, template: {spec: {containers: [{name: c, image: x}]}}}",
		"kind: Deployment\nmetadata: {name: a}\nspec: {replicas: x, template: {spec: {containers: 3}}}",
		"kind: Service\nmetadata: {name: s}\nspec: {selector: [1, 2]}",
		"kind: CronJob\nmetadata: {name: c}\nspec: {jobTemplate: {spec: {template: {spec: {containers: [{resources: {requests: {cpu: zz}}}]}}}}}",
		"kind: ClusterRole\nmetadata: {name: r}\nrules: [{verbs: '*'}, 7]",
		"kind: StatefulSet\nmetadata: {name: s}\nspec: {volumeClaimTemplates: {a: 1}, selector: null}",
		"kind: Deployment\nmetadata: null\nspec: {replicas: 2, template: {spec: {securityContext: null, containers: [{name: a, securityContext: {capabilities: null}, livenessProbe: {httpGet: null}}]}}}",
		"kind: Pod\nspec: {containers: null, initContainers: [null], volumes: [null, {projected: {sources: [null]}}]}",
		"kind: NetworkPolicy\nmetadata: {name: n}\nspec: {podSelector: {matchExpressions: [null, {operator: Bogus}]}, egress: [{to: [{podSelector: {}}]}]}",
		"kind: Ingress\nmetadata: {name: i}\nspec: {rules: [{http: {paths: [{backend: {service: {name: s, port: {number: x}}}}]}}]}\n---\nkind: Service\nmetadata: {name: s}\nspec: {ports: [null, {port: 80}]}",
		"kind: Deployment\nmetadata: {name: a}\nspec: {template: {spec: {containers: [{name: c, env: [{name: K, valueFrom: {configMapKeyRef: {name: m, key: k}}}]}]}}}\n---\nkind: ConfigMap\nmetadata: {name: m}\ndata: [1]",
		"kind: ClusterRole\nmetadata: {name: r}\nrules: [{apiGroups: [null], resources: [nodes/proxy], verbs: [null]}]\n---\nkind: ClusterRoleBinding\nmetadata: {name: b}\nroleRef: {kind: ClusterRole, name: r}",
		"kind: Widget\napiVersion: example.com/v1\n---\nkind: Route\napiVersion: route.openshift.io/v1\nmetadata: {name: r}",
	} {
		f.Add(s, s)
	}
	// Every golden case is a seed too: realistic objects of every family
	// for the fuzzer to mutate.
	files, _ := filepath.Glob("testdata/cases/*.txt")
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			f.Fatal(err)
		}
		_, sections := splitSections(f, raw)
		f.Add(sections["current.yaml"], sections["proposed.yaml"])
	}
	f.Fuzz(func(t *testing.T, cur, prop string) {
		in := Input{Current: fuzzObjects(cur), Proposed: fuzzObjects(prop), Cluster: &Cluster{
			Quotas: []Quota{{Name: "q", Hard: map[string]int64{"requests.cpu": 1000}}},
			Nodes:  []Node{{Name: "n", Allocatable: map[string]int64{"cpu": 1000}}},
		}, Cost: &CostChange{BaselineCents: 1, ProjectedCents: 100000}}
		rep, err := Evaluate(Default(), in)
		if err != nil {
			t.Fatal(err)
		}
		for _, f := range rep.Findings {
			if f.Rule == "" || f.Status == "" || f.Severity < 0 || f.Severity > 10 {
				t.Fatalf("bad finding %+v", f)
			}
		}
	})
}

// fuzzObjects reads YAML documents separated by "---"; documents that are
// not mappings are dropped, as the manifest loader would refuse them.
func fuzzObjects(s string) []*unstructured.Unstructured {
	var out []*unstructured.Unstructured
	for _, doc := range strings.Split(s, "\n---") {
		var m map[string]any
		if yaml.Unmarshal([]byte(doc), &m) != nil || m == nil {
			continue
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out
}

// BenchmarkEvaluate200 measures the risk engine alone on 200 objects a side.
func BenchmarkEvaluate200(b *testing.B) {
	var cur, prop []*unstructured.Unstructured
	for i := 0; i < 50; i++ {
		for _, side := range []*[]*unstructured.Unstructured{&cur, &prop} {
			for _, doc := range []string{
				"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: app%d}\nspec: {replicas: 3, selector: {matchLabels: {app: app%d}}, template: {metadata: {labels: {app: app%d}}, spec: {containers: [{name: app, image: 'r/app:1', resources: {requests: {cpu: 250m, memory: 256Mi}}, readinessProbe: {tcpSocket: {port: 80}}}]}}}",
				"apiVersion: v1\nkind: Service\nmetadata: {name: app%d}\nspec: {selector: {app: app%d}}",
				"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: app%d}\ndata: {a: b}",
				"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: app%d}\nspec: {scaleTargetRef: {kind: Deployment, name: app%d}, minReplicas: 2, maxReplicas: 5}",
			} {
				*side = append(*side, fuzzObjects(strings.ReplaceAll(doc, "%d", itoa(int64(i))))...)
			}
		}
	}
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := Evaluate(Default(), Input{Current: cur, Proposed: prop}); err != nil {
			b.Fatal(err)
		}
	}
}

// TestTrips: --fail-on compares findings, not the level alone, so a clean
// change (level low, no findings) never trips even --fail-on low.
func TestTrips(t *testing.T) {
	med := Finding{Rule: "r", Severity: 5, Status: StatusNew}
	resolvedCrit := Finding{Rule: "c", Severity: 9.5, Status: StatusResolved}
	cases := []struct {
		fs        []Finding
		threshold Level
		want      bool
	}{
		{nil, LevelLow, false},
		{[]Finding{resolvedCrit}, LevelLow, false},
		{[]Finding{med}, LevelLow, true},
		{[]Finding{med}, LevelMedium, true},
		{[]Finding{med, resolvedCrit}, LevelHigh, false},
	}
	for i, c := range cases {
		if got := Trips(c.fs, c.threshold); got != c.want {
			t.Errorf("case %d: Trips(%v, %s) = %v, want %v", i, c.fs, c.threshold, got, c.want)
		}
	}
	if got := levelOf(nil); got != LevelLow {
		t.Errorf("level of no findings = %q, want low", got)
	}
}

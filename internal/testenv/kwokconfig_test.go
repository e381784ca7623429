package testenv

import (
	"bytes"
	"fmt"
	"strings"
	"testing"
	"time"

	"sigs.k8s.io/yaml"
)

// kwokDocs splits a rendered configuration into its YAML documents.
func kwokDocs(t *testing.T, b PodBehaviour) []map[string]any {
	t.Helper()
	out, err := kwokConfig(b)
	if err != nil {
		t.Fatal(err)
	}
	var docs []map[string]any
	for _, part := range bytes.Split(out, []byte("\n---\n")) {
		var m map[string]any
		if err := yaml.Unmarshal(part, &m); err != nil {
			t.Fatalf("document does not parse: %v\n%s", err, part)
		}
		if m != nil {
			docs = append(docs, m)
		}
	}
	return docs
}

func stageNamed(t *testing.T, docs []map[string]any, name string) map[string]any {
	t.Helper()
	for _, d := range docs {
		if md, _ := d["metadata"].(map[string]any); md != nil && md["name"] == name {
			return d["spec"].(map[string]any)
		}
	}
	t.Fatalf("no stage %s", name)
	return nil
}

// simSelector is the stage's expression on SimLabel, as "In [..]" text.
func simSelector(t *testing.T, spec map[string]any) string {
	t.Helper()
	exprs := spec["selector"].(map[string]any)["matchExpressions"].([]any)
	for _, e := range exprs {
		e := e.(map[string]any)
		if e["key"] == `.metadata.labels["`+SimLabel+`"]` {
			return fmt.Sprintf("%s %v", e["operator"], e["values"])
		}
	}
	t.Fatalf("stage has no %s expression: %v", SimLabel, exprs)
	return ""
}

func TestKwokConfigKeepsNodesAliveWithLeases(t *testing.T) {
	docs := kwokDocs(t, PodBehaviour{})
	opts := docs[0]["options"].(map[string]any)
	if docs[0]["kind"] != "KwokConfiguration" || opts["nodeLeaseDurationSeconds"] != float64(40) {
		t.Errorf("first document %v: want a KwokConfiguration with nodeLeaseDurationSeconds 40", docs[0])
	}
	for _, k := range []string{"nodeLeaseParallelism", "podPlayStageParallelism", "nodePlayStageParallelism"} {
		if n, _ := opts[k].(float64); n < 8 {
			t.Errorf("%s = %v; the default 4 lets pods and leases queue under load", k, opts[k])
		}
	}
	// Without explicit node stages kwok v0.7 picks a heartbeat that never
	// refreshes a node in time; both must be ours.
	stageNamed(t, docs, "capsule-node-initialize")
	hb := stageNamed(t, docs, "capsule-node-heartbeat-with-lease")
	if hb["resourceRef"].(map[string]any)["kind"] != "Node" {
		t.Errorf("heartbeat stage is not for nodes: %v", hb)
	}
}

func TestKwokConfigPodBehaviourSelectors(t *testing.T) {
	for _, tc := range []struct {
		def  PodBehaviour
		want map[string]string
	}{
		{PodBehaviour{}, map[string]string{
			"capsule-pod-ready":       "NotIn [never-ready crashloop slow]",
			"capsule-pod-never-ready": "In [never-ready]",
			"capsule-pod-crashloop":   "In [crashloop]",
			"capsule-pod-slow-start":  "In [slow]",
			"capsule-pod-slow-ready":  "In [slow]",
		}},
		{PodBehaviour{Kind: BehaviourNeverReady}, map[string]string{
			"capsule-pod-ready":       "In [ready]",
			"capsule-pod-never-ready": "NotIn [ready crashloop slow]",
			"capsule-pod-slow-ready":  "In [slow]",
		}},
		{PodBehaviour{Kind: BehaviourSlow, ReadyAfter: 45 * time.Second}, map[string]string{
			"capsule-pod-ready":      "In [ready]",
			"capsule-pod-slow-start": "NotIn [ready never-ready crashloop]",
			"capsule-pod-slow-ready": "NotIn [ready never-ready crashloop]",
		}},
	} {
		docs := kwokDocs(t, tc.def)
		for stage, want := range tc.want {
			if got := simSelector(t, stageNamed(t, docs, stage)); got != want {
				t.Errorf("default %s: stage %s selects %q, want %q", tc.def, stage, got, want)
			}
		}
	}
}

func TestKwokConfigSlowDelay(t *testing.T) {
	for _, tc := range []struct {
		def  PodBehaviour
		want float64
	}{
		{PodBehaviour{}, 30000},
		{PodBehaviour{Kind: BehaviourSlow}, 30000},
		{PodBehaviour{Kind: BehaviourSlow, ReadyAfter: 45 * time.Second}, 45000},
	} {
		delay := stageNamed(t, kwokDocs(t, tc.def), "capsule-pod-slow-ready")["delay"].(map[string]any)
		if delay["durationMilliseconds"] != tc.want {
			t.Errorf("default %s: slow delay %v ms, want %v", tc.def, delay["durationMilliseconds"], tc.want)
		}
		from := delay["durationFrom"].(map[string]any)["expressionFrom"]
		if !strings.Contains(from.(string), SimReadyAfterAnnotation) {
			t.Errorf("slow delay is not read from %s: %v", SimReadyAfterAnnotation, from)
		}
	}
}

func TestParsePodBehaviour(t *testing.T) {
	for in, want := range map[string]PodBehaviour{
		"ready":       {Kind: BehaviourReady},
		"never-ready": {Kind: BehaviourNeverReady},
		"crashloop":   {Kind: BehaviourCrashLoop},
		"slow":        {Kind: BehaviourSlow},
		"slow:90s":    {Kind: BehaviourSlow, ReadyAfter: 90 * time.Second},
	} {
		got, err := ParsePodBehaviour(in)
		if err != nil || got != want {
			t.Errorf("ParsePodBehaviour(%q) = %+v, %v; want %+v", in, got, err, want)
		}
	}
	for in, want := range map[string]string{
		"":            "unknown pod behaviour",
		"Ready":       "unknown pod behaviour",
		"ready:3s":    "takes no duration",
		"slow:soon":   "not a duration",
		"slow:-1s":    "above 0",
		"slow:48h":    "at most",
		"crashloop:1": "takes no duration",
	} {
		if _, err := ParsePodBehaviour(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("ParsePodBehaviour(%q) = %v; want an error saying %q", in, err, want)
		}
	}
}

// FuzzParsePodBehaviour: whatever is accepted prints back to itself and
// renders a kwok configuration that parses.
func FuzzParsePodBehaviour(f *testing.F) {
	for _, s := range []string{"ready", "never-ready", "crashloop", "slow", "slow:30s", "slow:1h30m", "slow:", ":", "slow:1e9h"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		b, err := ParsePodBehaviour(s)
		if err != nil {
			return
		}
		again, err := ParsePodBehaviour(b.String())
		if err != nil || again.normal() != b.normal() {
			t.Fatalf("%q → %+v → %q → %+v, %v", s, b, b.String(), again, err)
		}
		if _, err := kwokConfig(b); err != nil {
			t.Fatal(err)
		}
	})
}

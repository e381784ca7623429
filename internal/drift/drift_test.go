package drift_test

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"sigs.k8s.io/yaml"

	"github.com/usecapsule/capsule/internal/drift"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/manifest"
)

func objects(t *testing.T, docs ...string) []manifest.Object {
	t.Helper()
	var out []manifest.Object
	for _, d := range docs {
		m := map[string]any{}
		if err := yaml.Unmarshal([]byte(d), &m); err != nil {
			t.Fatal(err)
		}
		out = append(out, manifest.Object{Unstructured: &unstructured.Unstructured{Object: m}})
	}
	return out
}

func hash(s string) string {
	sum := sha256.Sum256([]byte(s))
	return "sha256:" + hex.EncodeToString(sum[:])
}

// summary renders a result as one line per object and change.
func summary(r *drift.Result) string {
	var b strings.Builder
	for _, o := range r.Objects {
		b.WriteString(string(o.Status) + " " + o.Kind + "/" + o.Name + "\n")
		for _, c := range o.Changes {
			d, _ := json.Marshal(c.Desired)
			l, _ := json.Marshal(c.Live)
			b.WriteString("  " + c.Path + " " + string(d) + " -> " + string(l) + "\n")
		}
	}
	return b.String()
}

const deployment = `
apiVersion: apps/v1
kind: Deployment
metadata: {name: web, namespace: shop}
spec:
  replicas: %REPLICAS%
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}%ANN%}
    spec:
      containers: [{name: web, image: %IMAGE%}]
`

func dep(replicas, image, ann string) string {
	return strings.NewReplacer("%REPLICAS%", replicas, "%IMAGE%", image, "%ANN%", ann).Replace(deployment)
}

const hpa = `
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: web, namespace: shop}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: web}
  minReplicas: 2
  maxReplicas: 5
`

// TestCompareReportsOnlyRealDrift: what the agent cannot or need not see
// (Secret values, ConfigMap values in clear, replicas an autoscaler owns,
// a restart's timestamp) is no drift; a changed image, a changed
// ConfigMap value (shown as hashes), a removed Secret key, a deleted
// object and a left-behind object are.
func TestCompareReportsOnlyRealDrift(t *testing.T) {
	desired := envstate.State{Source: envstate.SourceDeployment, Objects: objects(t,
		dep("2", "web:1", ""), hpa,
		`{apiVersion: v1, kind: Secret, metadata: {name: db, namespace: shop}, stringData: {password: hunter2}, data: {user: YXBw}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg, namespace: shop}, data: {color: blue, size: L}}`,
		`{apiVersion: v1, kind: Service, metadata: {name: web, namespace: shop}, spec: {selector: {app: web}, ports: [{port: 80}]}}`)}
	inSync := envstate.State{Source: envstate.SourceAgent, Objects: objects(t,
		dep("4", "web:1", `, annotations: {kubectl.kubernetes.io/restartedAt: "2026-12-07T10:00:00Z"}`), hpa,
		`{apiVersion: v1, kind: Secret, metadata: {name: db, namespace: shop}, keys: [password, user]}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg, namespace: shop}, data: {color: `+hash("blue")+`, size: L}}`,
		`{apiVersion: v1, kind: Service, metadata: {name: web, namespace: shop}, spec: {selector: {app: web}, ports: [{port: 80}]}}`)}
	now := time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)
	r, err := drift.Compare("env-1", desired, inSync, now)
	if err != nil {
		t.Fatal(err)
	}
	if !r.InSync || len(r.Objects) != 0 || r.DesiredSource != envstate.SourceDeployment || r.LiveSource != envstate.SourceAgent || !r.CheckedAt.Equal(now) {
		t.Fatalf("in sync expected:\n%s%+v", summary(r), r)
	}

	drifted := envstate.State{Source: envstate.SourceAgent, Objects: objects(t,
		dep("4", "web:2", ""), hpa,
		`{apiVersion: v1, kind: Secret, metadata: {name: db, namespace: shop}, keys: [password]}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: cfg, namespace: shop}, data: {color: `+hash("red")+`, size: L}}`,
		`{apiVersion: v1, kind: ConfigMap, metadata: {name: old, namespace: shop}, data: {a: b}}`)}
	r, err = drift.Compare("env-1", desired, drifted, now)
	if err != nil {
		t.Fatal(err)
	}
	want := `modified ConfigMap/cfg
  /data/color "` + hash("blue") + `" -> "` + hash("red") + `"
extra ConfigMap/old
modified Deployment/web
  /spec/template/spec/containers/0/image "web:1" -> "web:2"
modified Secret/db
  /keys ["password","user"] -> ["password"]
missing Service/web
`
	if got := summary(r); got != want || r.InSync {
		t.Fatalf("drift:\n%s\nwant:\n%s", got, want)
	}
	if b, _ := json.Marshal(r); strings.Contains(string(b), "hunter2") || strings.Contains(string(b), "blue") {
		t.Fatalf("a value leaked into the result: %s", b)
	}

	if _, err := drift.Compare("env-1", desired, envstate.State{Source: envstate.SourceNone}, now); err == nil {
		t.Fatal("a live state of source none compared")
	}
	// Nothing deployed: every Capsule object found live is left behind.
	r, err = drift.Compare("env-1", envstate.State{Source: envstate.SourceNone}, drifted, now)
	if err != nil || r.InSync || len(r.Objects) != 5 || r.Objects[0].Status != drift.Extra {
		t.Fatalf("nothing desired: %v\n%s", err, summary(r))
	}
}

// TestReplicasWithoutAutoscalerAreDrift: kubectl scale on a workload no
// autoscaler owns is drift.
func TestReplicasWithoutAutoscalerAreDrift(t *testing.T) {
	desired := envstate.State{Source: envstate.SourceDeployment, Objects: objects(t, dep("2", "web:1", ""))}
	live := envstate.State{Source: envstate.SourceAgent, Objects: objects(t, dep("5", "web:1", ""))}
	r, err := drift.Compare("env-1", desired, live, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	if got, want := summary(r), "modified Deployment/web\n  /spec/replicas 2 -> 5\n"; got != want {
		t.Fatalf("drift:\n%s\nwant:\n%s", got, want)
	}
}

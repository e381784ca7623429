package drift_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/drift"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/manifest"
)

// FuzzCompare compares two arbitrary manifest sets as desired and live:
// whatever the loader accepts, Compare must not panic, its result must
// encode, and a set compared with itself (Secrets, ConfigMaps and
// autoscaled workloads included) is in sync.
func FuzzCompare(f *testing.F) {
	f.Add("apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: n}\nspec: {replicas: 2}\n",
		"apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: a, namespace: n}\nspec: {replicas: 3, template: {metadata: {annotations: {kubectl.kubernetes.io/restartedAt: x}}}}\n")
	f.Add("apiVersion: v1\nkind: Secret\nmetadata: {name: s}\ndata: {k: cHc=}\nstringData: {j: x}\n",
		"apiVersion: v1\nkind: Secret\nmetadata: {name: s}\nkeys: [k, 3]\n")
	f.Add("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: c}\ndata: {a: 'sha256:00', b: 1}\nbinaryData: {x: eA==}\n",
		"apiVersion: autoscaling/v2\nkind: HorizontalPodAutoscaler\nmetadata: {name: h}\nspec: {scaleTargetRef: {kind: Deployment, name: a, apiVersion: v1}}\n")
	f.Fuzz(func(t *testing.T, a, b string) {
		want, errA := manifest.Parse("a.yaml", []byte(a))
		got, errB := manifest.Parse("b.yaml", []byte(b))
		if errA != nil || errB != nil {
			return
		}
		desired := envstate.State{Source: envstate.SourceDeployment, Objects: want}
		live := envstate.State{Source: envstate.SourceAgent, Objects: got}
		now := time.Unix(0, 0)
		res, err := drift.Compare("e", desired, live, now)
		if err != nil {
			return // an ambiguous set, named in the error
		}
		if _, err := json.Marshal(res); err != nil {
			t.Fatal(err)
		}
		same, err := drift.Compare("e", desired, envstate.State{Source: envstate.SourceAgent, Objects: want}, now)
		if err != nil {
			t.Fatal(err)
		}
		if !same.InSync {
			t.Fatalf("a set drifted from itself: %+v", same.Objects)
		}
	})
}

package cost

import (
	"fmt"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/clusterstate"
	"github.com/usecapsule/capsule/internal/cputime"
	"github.com/usecapsule/capsule/internal/manifest"
)

// environment generates 200 objects: 50 Deployments with Services and
// ConfigMaps, 25 HPAs, 15 StatefulSets with volume claims, 10 PVCs.
// version scales replicas and requests of every fifth workload.
func environment(b *testing.B, version int) []manifest.Object {
	b.Helper()
	var s strings.Builder
	for i := range 50 {
		v := 1
		if i%5 == 0 {
			v = version
		}
		fmt.Fprintf(&s, `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app-%d, namespace: env-%d}
spec:
  replicas: %d
  template:
    spec:
      containers:
      - {name: main, image: app:%d, resources: {requests: {cpu: %dm, memory: %dMi}, limits: {memory: 1Gi}}}
      - {name: proxy, image: envoy, resources: {limits: {cpu: 100m, memory: 128Mi}}}
---
apiVersion: v1
kind: Service
metadata: {name: app-%d, namespace: env-%d}
spec: {type: %s, ports: [{port: 80}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-%d, namespace: env-%d}
data: {a: b}
`, i, version, 2+v, v, 250*v, 512*v, i, version, map[bool]string{true: "LoadBalancer", false: "ClusterIP"}[i%10 == 0], i, version)
		if i%2 == 0 {
			fmt.Fprintf(&s, `---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: app-%d, namespace: env-%d}
spec: {scaleTargetRef: {kind: Deployment, name: app-%d}, minReplicas: 2, maxReplicas: %d}
`, i, version, i, 5+v)
		}
	}
	for i := range 15 {
		fmt.Fprintf(&s, `---
apiVersion: apps/v1
kind: StatefulSet
metadata: {name: db-%d, namespace: env-%d}
spec:
  replicas: 3
  template: {spec: {containers: [{name: db, image: pg, resources: {requests: {cpu: "1", memory: 4Gi}}}]}}
  volumeClaimTemplates: [{metadata: {name: data}, spec: {resources: {requests: {storage: %dGi}}}}]
`, i, version, 10*version)
	}
	for i := range 10 {
		fmt.Fprintf(&s, `---
apiVersion: v1
kind: PersistentVolumeClaim
metadata: {name: pvc-%d, namespace: env-%d}
spec: {resources: {requests: {storage: 5Gi}}}
`, i, version)
	}
	objs, err := manifest.Parse("bench.yaml", []byte(s.String()))
	if err != nil {
		b.Fatal(err)
	}
	if len(objs) != 200 {
		b.Fatalf("generated %d objects, want 200", len(objs))
	}
	return objs
}

func benchState(b *testing.B) *clusterstate.State {
	b.Helper()
	st, err := clusterstate.Load("testdata/delta/state")
	if err != nil {
		b.Fatal(err)
	}
	return st
}

func BenchmarkDelta200(b *testing.B) {
	cur, prop := environment(b, 1), environment(b, 2)
	st, p := benchState(b), DefaultPricing()
	b.ReportAllocs()
	b.ResetTimer()
	cpu, n := cputime.Now(), 0
	for b.Loop() {
		d, err := Delta(cur, prop, st, p, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if d.Delta <= 0 {
			b.Fatal("no cost increase found")
		}
		n++
	}
	// The build machine is shared: CPU time per op (all threads, GC
	// included) is reported beside wall time, which waits for other jobs.
	cputime.Report(b, cpu, n)
}

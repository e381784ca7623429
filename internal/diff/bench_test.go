package diff

import (
	"fmt"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/cputime"
	"github.com/usecapsule/capsule/internal/manifest"
)

// environment generates a 200-object environment: 50 each of Deployments,
// Services, ConfigMaps, and 25 each of Secrets and HPAs. version changes
// images, replicas and data of every fifth object.
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
metadata: {name: app-%d, namespace: env-%d, labels: {app: app-%d, team: t%d}}
spec:
  replicas: %d
  selector: {matchLabels: {app: app-%d}}
  template:
    metadata: {labels: {app: app-%d}}
    spec:
      containers:
      - name: main
        image: registry.example.com/app-%d:1.%d.0
        ports: [{containerPort: 8080}]
        env: [{name: MODE, value: prod}, {name: LEVEL, value: "%d"}]
        resources: {requests: {cpu: 250m, memory: 512Mi}, limits: {memory: 1Gi}}
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
---
apiVersion: v1
kind: Service
metadata: {name: app-%d, namespace: env-%d}
spec: {selector: {app: app-%d}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app-%d, namespace: env-%d}
data: {config.yaml: "level: %d\nfeature: on\n"}
`, i, version, i, i%4, 2+v, i, i, i, v, v, i, version, i, i, version, v)
		if i%2 == 0 {
			fmt.Fprintf(&s, `---
apiVersion: v1
kind: Secret
metadata: {name: app-%d, namespace: env-%d}
stringData: {password: "pw-%d-%d"}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: app-%d, namespace: env-%d}
spec: {scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app-%d}, minReplicas: 2, maxReplicas: %d}
`, i, version, i, v, i, version, i, 5+v)
		}
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

func BenchmarkCompute200(b *testing.B) {
	cur, prop := environment(b, 1), environment(b, 2)
	b.ReportAllocs()
	b.ResetTimer()
	cpu, n := cputime.Now(), 0
	for b.Loop() {
		res, err := Compute(cur, prop, Options{})
		if err != nil {
			b.Fatal(err)
		}
		if len(res.Modified) == 0 {
			b.Fatal("no changes found")
		}
		n++
	}
	// The build machine is shared: CPU time per op (all threads, GC
	// included) is reported beside wall time, which waits for other jobs.
	cputime.Report(b, cpu, n)
}

// Package benchenv writes the environment the preview benchmarks compare: n
// objects, per app a Deployment, a Service, a ConfigMap and an HPA. The
// in-process benchmark and the whole-process one (bench/envgen, against
// other tools) use this one definition, so their figures describe the same
// input.
package benchenv

import (
	"fmt"
	"strings"
)

// Environment returns n objects (n/4 apps) as YAML. edit changes every fifth
// app as a promotion would: fewer replicas, a new image tag and a larger CPU
// request.
func Environment(n int, edit bool) string {
	var b strings.Builder
	for i := 0; i < n/4; i++ {
		replicas, image, cpu := 3, fmt.Sprintf("registry.example.com/app%d:1.%d.0", i, i), "250m"
		if edit && i%5 == 0 {
			replicas, image, cpu = 1, fmt.Sprintf("registry.example.com/app%d:1.%d.1", i, i), "500m"
		}
		fmt.Fprintf(&b, envTemplate, i, replicas, image, cpu)
	}
	return b.String()
}

const envTemplate = `---
apiVersion: apps/v1
kind: Deployment
metadata: {name: app%[1]d, namespace: prod, labels: {app: app%[1]d}}
spec:
  replicas: %[2]d
  selector: {matchLabels: {app: app%[1]d}}
  template:
    metadata: {labels: {app: app%[1]d}}
    spec:
      securityContext: {runAsNonRoot: true}
      containers:
      - name: app
        image: %[3]s
        envFrom: [{configMapRef: {name: app%[1]d}}]
        ports: [{containerPort: 8080}]
        readinessProbe: {httpGet: {path: /ready, port: 8080}}
        livenessProbe: {httpGet: {path: /live, port: 8080}}
        resources: {requests: {cpu: %[4]s, memory: 256Mi}, limits: {memory: 512Mi}}
        securityContext: {allowPrivilegeEscalation: false, readOnlyRootFilesystem: true, capabilities: {drop: [ALL]}}
---
apiVersion: v1
kind: Service
metadata: {name: app%[1]d, namespace: prod}
spec: {selector: {app: app%[1]d}, ports: [{port: 80, targetPort: 8080}]}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: app%[1]d, namespace: prod}
data: {LOG_LEVEL: info, FEATURE_X: "true"}
---
apiVersion: autoscaling/v2
kind: HorizontalPodAutoscaler
metadata: {name: app%[1]d, namespace: prod}
spec:
  scaleTargetRef: {apiVersion: apps/v1, kind: Deployment, name: app%[1]d}
  minReplicas: %[2]d
  maxReplicas: 10
  metrics: [{type: Resource, resource: {name: cpu, target: {type: Utilization, averageUtilization: 70}}}]
`

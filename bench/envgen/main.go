// Command envgen writes two environments of n objects each (a quarter each
// Deployments, Services, ConfigMaps and HorizontalPodAutoscalers, the
// shape of internal/preview's in-process benchmark) as YAML files, for
// timing `capsule preview` as a whole process against other tools. Every
// fifth Deployment of the proposed environment has fewer replicas, a new
// image tag and a larger CPU request.
package main

import (
	"flag"
	"fmt"
	"log"
	"os"
	"path/filepath"
	"strings"
)

func main() {
	n := flag.Int("n", 200, "objects per environment (a multiple of 4)")
	out := flag.String("out", "", "directory to write current/ and proposed/ into (required)")
	flag.Parse()
	if *out == "" || *n <= 0 || *n%4 != 0 {
		log.Fatal("envgen: -out is required and -n must be a positive multiple of 4")
	}
	for _, env := range []struct {
		dir  string
		edit bool
	}{{"current", false}, {"proposed", true}} {
		dir := filepath.Join(*out, env.dir)
		if err := os.MkdirAll(dir, 0o755); err != nil {
			log.Fatal(err)
		}
		if err := os.WriteFile(filepath.Join(dir, "objects.yaml"), []byte(environment(*n, env.edit)), 0o644); err != nil {
			log.Fatal(err)
		}
	}
}

func environment(n int, edit bool) string {
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

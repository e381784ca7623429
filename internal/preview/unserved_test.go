package preview

import (
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/manifest"
)

// A proposed Deployment written with "apiVersion: v1" used to fail the whole
// preview while loading; now it is a high finding on that object and the
// rest of the change is still judged.
func TestWrongAPIVersionIsAFinding(t *testing.T) {
	parse := func(s string) []manifest.Object {
		t.Helper()
		objs, err := manifest.Parse("env.yaml", []byte(s))
		if err != nil {
			t.Fatalf("load: %v", err)
		}
		return objs
	}
	current := parse(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1", resources: {requests: {cpu: 100m, memory: 64Mi}}}]
`)
	proposed := parse(`apiVersion: v1
kind: Deployment
metadata: {name: web}
spec:
  replicas: 2
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec:
      containers: [{name: web, image: "web:1", resources: {requests: {cpu: 100m, memory: 64Mi}}}]
---
apiVersion: rbac.authorization.k8s.io/v1
kind: Role
metadata: {name: debug}
rules:
- {apiGroups: [""], resources: [pods/exec], verbs: [create]}
`)
	p, err := Build(Input{Current: current, Proposed: proposed})
	if err != nil {
		t.Fatalf("preview failed instead of reporting the object: %v", err)
	}
	var rejected, exec bool
	for _, f := range p.Risks {
		if f.Rule == "api-rejected" && f.Resource == "Deployment/web" && f.Severity >= 7 && strings.Contains(f.Message, "the API server will reject") && strings.Contains(f.Message, "belongs to apps") {
			rejected = true
		}
		if f.Rule == "rbac-pod-exec" && f.Resource == "Role/debug" {
			exec = true
		}
	}
	if !rejected || !exec {
		t.Fatalf("want api-rejected on Deployment/web and rbac-pod-exec on Role/debug, got %+v", p.Risks)
	}
	if p.RiskLevel != "high" && p.RiskLevel != "critical" {
		t.Errorf("risk level %q, want at least high", p.RiskLevel)
	}
}

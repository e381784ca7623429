package risk

import (
	"testing"

	"github.com/usecapsule/capsule/internal/manifest"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestNotAssessed pins which objects the report names as not judged:
// custom kinds, workloads without a pod spec and bindings without a role,
// and not built-in kinds, OpenShift DeploymentConfigs (their pod spec is
// read like a Deployment's), Argo Rollouts (with a template or a
// workloadRef) or a built-in kind under the wrong apiVersion (api-rejected
// judges that).
func TestNotAssessed(t *testing.T) {
	objs, err := manifest.Parse("set.yaml", []byte(`apiVersion: apps.openshift.io/v1
kind: DeploymentConfig
metadata: {name: dc, namespace: a}
spec: {template: {spec: {containers: [{name: c, image: x}]}}}
---
apiVersion: example.com/v1
kind: Deployment
metadata: {name: lookalike}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: route}
---
apiVersion: v1
kind: Deployment
metadata: {name: wrong-version}
spec: {template: {spec: {containers: [{name: c, image: x}]}}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: by-template}
spec: {template: {spec: {containers: [{name: c, image: x}]}}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: by-ref}
spec: {workloadRef: {apiVersion: apps/v1, kind: Deployment, name: web}}
---
apiVersion: argoproj.io/v1alpha1
kind: Rollout
metadata: {name: empty}
spec: {}
---
apiVersion: batch/v1
kind: CronJob
metadata: {name: cj}
spec: {jobTemplate: {spec: {template: null}}}
---
apiVersion: v1
kind: Pod
metadata: {name: p}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: rb}
roleRef: {kind: Role}
---
apiVersion: rbac.authorization.k8s.io/v1
kind: RoleBinding
metadata: {name: ok}
roleRef: {kind: Role, name: r}
---
apiVersion: v1
kind: ConfigMap
metadata: {name: cm}
`))
	if err != nil {
		t.Fatal(err)
	}
	us := make([]*unstructured.Unstructured, 0, len(objs)+1)
	for _, o := range objs {
		us = append(us, o.Unstructured)
	}
	us = append(us, objs[0].Unstructured, nil) // a repeat and a hole
	got := map[string]string{}
	for _, r := range NotAssessed(us) {
		if _, dup := got[r.Kind+"/"+r.Name]; dup {
			t.Errorf("%s/%s listed twice", r.Kind, r.Name)
		}
		got[r.Kind+"/"+r.Name] = r.Reason
	}
	want := map[string]string{
		"Deployment/lookalike": ReasonUnknownKind, "HTTPRoute/route": ReasonUnknownKind,
		"Rollout/empty": ReasonNoPodSpec, "CronJob/cj": ReasonNoPodSpec, "Pod/p": ReasonNoPodSpec, "RoleBinding/rb": ReasonNoRoleRef,
	}
	for k, r := range want {
		if got[k] != r {
			t.Errorf("%s: reason %q, want %q", k, got[k], r)
		}
	}
	for k := range got {
		if _, ok := want[k]; !ok {
			t.Errorf("%s listed as not assessed (%s)", k, got[k])
		}
	}
	rep, err := Evaluate(Default(), Input{Proposed: us})
	if err != nil {
		t.Fatal(err)
	}
	if len(rep.NotAssessed) != len(want) {
		t.Errorf("report names %d objects, want %d: %+v", len(rep.NotAssessed), len(want), rep.NotAssessed)
	}
	if empty, _ := Evaluate(Default(), Input{}); empty.NotAssessed == nil {
		t.Error("NotAssessed is nil for an empty input; the preview's JSON would show null")
	}
}

package risk

import (
	"sort"
	"strings"

	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/podspec"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// ObjectRef names an object of the proposed set that the rules could not
// judge, and why.
type ObjectRef struct {
	APIVersion string `json:"apiVersion"`
	Kind       string `json:"kind"`
	Name       string `json:"name"`
	Namespace  string `json:"namespace,omitempty"`
	Reason     string `json:"reason"`
}

// The reasons of ObjectRef.
const (
	ReasonUnknownKind = "a kind the risk rules do not know"
	ReasonNoPodSpec   = "no pod spec (written as null or missing): its containers were not judged"
	ReasonNoRoleRef   = "no roleRef name (written as null or missing): its grants were not judged"
)

// Assessed reports whether the engine judges objects of this apiVersion and
// kind: every kind of a built-in API group (at least its API version is
// checked, and a kind the group does not serve is api-rejected) and the
// custom workloads whose pod template the engine reads (Argo Rollouts,
// OpenShift DeploymentConfigs), and the Prometheus operator's monitors
// (monitor-selects-nothing). Other custom resources (operators' kinds,
// OpenShift's Route, cert-manager's Certificate) are not: no rule knows
// what they do, so a clean report says nothing about them.
func Assessed(apiVersion, kind string) bool {
	group, _, found := strings.Cut(apiVersion, "/")
	if !found {
		group = "" // "v1": the core group
	}
	if manifest.BuiltinGroup(group) {
		return true
	}
	if group == "monitoring.coreos.com" && (kind == "ServiceMonitor" || kind == "PodMonitor") {
		return true
	}
	_, ok := podspec.Path(manifest.CanonicalGroup(group, kind) + "/" + kind)
	return ok
}

// notAssessedReason says why the rules could not judge o, or "". Besides
// unknown kinds, a workload without a pod spec and a binding without a
// role are named: the API server rejects both, and the rules that would
// have judged their containers or grants saw nothing.
func notAssessedReason(o *unstructured.Unstructured) string {
	if !Assessed(o.GetAPIVersion(), o.GetKind()) {
		return ReasonUnknownKind
	}
	kind := o.GetKind()
	if tmpl, ok := templatePaths[kind]; ok || kind == "Pod" {
		// A copy: appending to the shared table's slice could write into it.
		path := append(append([]string(nil), tmpl...), "spec")
		// A Rollout may take its pods from a Deployment (spec.workloadRef).
		ref := kind == "Rollout" && mapAt(o.Object, "spec", "workloadRef") != nil
		if mapAt(o.Object, path...) == nil && !ref {
			return ReasonNoPodSpec
		}
	}
	if (kind == "RoleBinding" || kind == "ClusterRoleBinding") && stringAt(o.Object, "roleRef", "name") == "" {
		return ReasonNoRoleRef
	}
	return ""
}

// NotAssessed lists the objects of objs that the rules could not judge
// (see notAssessedReason), once each, ordered by kind, namespace and name.
// The engine still judges everything else; the list only tells a reviewer
// what the report does not cover.
func NotAssessed(objs []*unstructured.Unstructured) []ObjectRef {
	seen := map[ObjectRef]bool{}
	out := []ObjectRef{}
	for _, o := range objs {
		if o == nil {
			continue
		}
		reason := notAssessedReason(o)
		if reason == "" {
			continue
		}
		r := ObjectRef{APIVersion: o.GetAPIVersion(), Kind: o.GetKind(), Name: o.GetName(), Namespace: o.GetNamespace(), Reason: reason}
		if seen[r] {
			continue
		}
		seen[r] = true
		out = append(out, r)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		if a.Kind != b.Kind {
			return a.Kind < b.Kind
		}
		if a.Namespace != b.Namespace {
			return a.Namespace < b.Namespace
		}
		if a.Name != b.Name {
			return a.Name < b.Name
		}
		return a.APIVersion < b.APIVersion
	})
	return out
}

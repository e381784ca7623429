package manifest

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Object is one Kubernetes object read from a manifest file, with where it
// came from so errors and reports can point at it.
type Object struct {
	*unstructured.Unstructured
	// File is the path the object was read from (as given or walked).
	File string
	// Doc is the 0-based index of the YAML document in File.
	Doc int
}

// ID identifies an object for matching between two sets: API group, kind,
// namespace and name. The version is left out on purpose, so apps/v1 and
// apps/v1beta2 of the same Deployment match.
type ID struct {
	Group     string
	Kind      string
	Namespace string
	Name      string
}

// String renders the ID as "group/Kind/namespace/name" with empty parts kept,
// for error messages.
func (id ID) String() string {
	g := id.Group
	if g == "" {
		g = "core"
	}
	ns := id.Namespace
	if ns == "" {
		ns = "-"
	}
	return g + "/" + id.Kind + "/" + ns + "/" + id.Name
}

// Key returns "Kind/name", the resource name used in JSON output.
func (id ID) Key() string { return id.Kind + "/" + id.Name }

// ID returns the matching identity of the object. Kinds that moved out of
// the legacy extensions group (and Events, served by two groups) match
// their current group: extensions/v1beta1 Ingress and networking.k8s.io/v1
// Ingress are one object to the API server, so a move between them is a
// modification, not a removal and an addition.
// A namespace set on a cluster-scoped kind (kustomize's namespace: does it
// for kinds it does not know) is ignored, as the API server ignores it.
func (o Object) ID() ID {
	group := CanonicalGroup(o.GroupVersionKind().Group, o.GetKind())
	ns := o.GetNamespace()
	if ClusterScoped(group, o.GetKind()) {
		ns = ""
	}
	return ID{Group: group, Kind: o.GetKind(), Namespace: ns, Name: o.GetName()}
}

// Key returns "Kind/name", the resource name used in JSON output.
func (o Object) Key() string { return o.GetKind() + "/" + o.GetName() }

// Location returns "file (document N)" for messages.
func (o Object) Location() string { return location(o.File, o.Doc) }

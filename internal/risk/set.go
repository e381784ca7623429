package risk

import (
	"sort"
	"strings"

	"github.com/usecapsule/capsule/internal/podspec"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Set is one side of the comparison, indexed for the rules.
type Set struct {
	Objects   []*unstructured.Unstructured
	Workloads []*Workload
	byKey     map[string]*unstructured.Unstructured
	byKind    map[string][]*unstructured.Unstructured
	// hpas maps "Kind/name" of a scale target to its HPA object.
	hpas map[string]map[string]any
	// podOwners is true when an object of a kind the engine does not know
	// could create pods whose labels it cannot see (operators' custom
	// resources), so "matches no pods" cannot be claimed.
	podOwners bool
}

// Workload is an object that runs pods from a template.
type Workload struct {
	Obj          *unstructured.Unstructured
	Key          string
	Kind         string
	Replicas     int64
	HasReplicas  bool   // the kind has spec.replicas (not DaemonSet, Job, Pod)
	TemplatePath string // JSON pointer of the pod template, "" for a Pod
	Labels       map[string]string
	Pod          Pod
	// Spec is the pod spec as written, for the node-selection helpers
	// shared with the cost engine.
	Spec map[string]any
}

// templatePaths says where each workload kind keeps its pod template,
// keyed by kind alone: an object whose apiVersion is wrong for its kind is
// still judged as the workload it means to be.
var templatePaths = func() map[string][]string {
	out := map[string][]string{}
	for gk, p := range podspec.Paths() {
		if kind := gk[strings.Index(gk, "/")+1:]; kind != "Pod" {
			out[kind] = p[:len(p)-1]
		}
	}
	return out
}()

// replicated kinds have spec.replicas defaulting to 1.
var replicated = map[string]bool{
	"Deployment": true, "ReplicaSet": true, "ReplicationController": true, "StatefulSet": true, "Rollout": true, "DeploymentConfig": true,
}

// Key returns "Kind/name", the resource name of findings.
func Key(o *unstructured.Unstructured) string { return o.GetKind() + "/" + o.GetName() }

// NewSet indexes objects. Objects are matched by "Kind/name" (namespaces are
// ignored, as environments live in different namespaces).
func NewSet(objs []*unstructured.Unstructured) *Set {
	s := &Set{
		byKey:  make(map[string]*unstructured.Unstructured, len(objs)),
		byKind: map[string][]*unstructured.Unstructured{},
		hpas:   map[string]map[string]any{},
	}
	type entry struct {
		obj       *unstructured.Unstructured
		key, kind string
	}
	entries := make([]entry, 0, len(objs))
	var refs []*unstructured.Unstructured
	for _, o := range objs {
		if o == nil {
			continue
		}
		e := entry{obj: o, key: Key(o), kind: o.GetKind()}
		entries = append(entries, e)
		s.byKey[e.key] = o
		if w := newWorkload(o, e.key); w != nil {
			s.Workloads = append(s.Workloads, w)
		} else if mapAt(o.Object, "spec", "workloadRef") != nil && e.kind == "Rollout" {
			refs = append(refs, o)
		} else if mayOwnPods(o) {
			s.podOwners = true
		}
	}
	for _, r := range refs {
		if w := s.refWorkload(r); w != nil {
			s.Workloads = append(s.Workloads, w)
		} else {
			s.podOwners = true // its pods' labels are unknown
		}
	}
	sort.SliceStable(entries, func(i, j int) bool { return entries[i].key < entries[j].key })
	sort.SliceStable(s.Workloads, func(i, j int) bool { return s.Workloads[i].Key < s.Workloads[j].Key })
	// Indexes built once: rules ask "which HPA scales this workload" per
	// workload, which would otherwise be quadratic on large sets.
	s.Objects = make([]*unstructured.Unstructured, len(entries))
	for i, e := range entries {
		s.Objects[i] = e.obj
		s.byKind[e.kind] = append(s.byKind[e.kind], e.obj)
	}
	for _, h := range s.byKind["HorizontalPodAutoscaler"] {
		ref := mapAt(h.Object, "spec", "scaleTargetRef")
		target := stringAt(ref, "kind") + "/" + stringAt(ref, "name")
		if _, dup := s.hpas[target]; !dup {
			s.hpas[target] = h.Object
		}
	}
	return s
}

// soleNamespace returns the namespace every namespaced object of the set
// shares, or "" when they have none or several.
func (s *Set) soleNamespace() string {
	ns := ""
	for _, o := range s.Objects {
		switch n := o.GetNamespace(); {
		case n == "":
		case ns == "":
			ns = n
		case n != ns:
			return ""
		}
	}
	return ns
}

// Get returns the object with the given "Kind/name", or nil.
func (s *Set) Get(key string) *unstructured.Unstructured { return s.byKey[key] }

// OfKind returns the objects of one kind in key order.
func (s *Set) OfKind(kind string) []*unstructured.Unstructured { return s.byKind[kind] }

func newWorkload(o *unstructured.Unstructured, key string) *Workload {
	kind := o.GetKind()
	w := &Workload{Obj: o, Key: key, Kind: kind}
	if kind == "Pod" {
		w.Labels = o.GetLabels()
		w.Spec = mapAt(o.Object, "spec")
		w.Pod = parsePod(w.Spec, "/spec")
		return w
	}
	path, ok := templatePaths[kind]
	if !ok {
		return nil
	}
	tmpl := mapAt(o.Object, path...)
	if tmpl == nil && kind == "Rollout" {
		// A Rollout with spec.workloadRef runs the pods of a Deployment
		// that may live outside the set: its labels are unknown here.
		return nil
	}
	w.TemplatePath = "/" + strings.Join(path, "/")
	w.Labels = stringMap(mapAt(tmpl, "metadata", "labels"))
	w.Spec = mapAt(tmpl, "spec")
	w.Pod = parsePod(w.Spec, w.TemplatePath+"/spec")
	if replicated[kind] {
		w.HasReplicas, w.Replicas = true, 1
		if n, ok := intAt(o.Object, "spec", "replicas"); ok {
			w.Replicas = n
		}
	}
	return w
}

// workloadRefPath is the TemplatePath of a Rollout using spec.workloadRef.
const workloadRefPath = "/spec/workloadRef"

// refWorkload is the workload view of an Argo Rollout whose pod template
// is a Deployment's (spec.workloadRef) in the same set: the Rollout's
// replicas with the template's labels, so replica regressions, PDBs and
// selectors see it. Its containers stay with the Deployment (scaled to
// zero), so container findings are not reported twice.
func (s *Set) refWorkload(r *unstructured.Unstructured) *Workload {
	ref := mapAt(r.Object, "spec", "workloadRef")
	target := s.byKey[stringAt(ref, "kind")+"/"+stringAt(ref, "name")]
	if target == nil {
		return nil // outside the set: its labels are unknown here
	}
	w := &Workload{Obj: r, Key: Key(r), Kind: "Rollout", HasReplicas: true, Replicas: 1,
		TemplatePath: workloadRefPath,
		Labels:       stringMap(mapAt(target.Object, "spec", "template", "metadata", "labels")),
		Spec:         mapAt(target.Object, "spec", "template", "spec")}
	if n, ok := intAt(r.Object, "spec", "replicas"); ok {
		w.Replicas = n
	}
	return w
}

// knownGroups are API groups whose kinds the engine knows; none of their
// non-workload kinds creates pods.
var knownGroups = map[string]bool{
	"": true, "apps": true, "batch": true, "extensions": true, "networking.k8s.io": true,
	"policy": true, "autoscaling": true, "rbac.authorization.k8s.io": true, "storage.k8s.io": true,
	"scheduling.k8s.io": true, "admissionregistration.k8s.io": true, "apiextensions.k8s.io": true,
	"coordination.k8s.io": true, "discovery.k8s.io": true, "node.k8s.io": true,
	"flowcontrol.apiserver.k8s.io": true, "certificates.k8s.io": true, "events.k8s.io": true,
	"apiregistration.k8s.io": true, "gateway.networking.k8s.io": true,
}

// passiveKinds are common custom resources known not to create pods, so they
// do not switch off the selector rule.
var passiveKinds = map[string]bool{
	"ServiceMonitor": true, "PodMonitor": true, "PrometheusRule": true, "Certificate": true,
	"Issuer": true, "ClusterIssuer": true, "VirtualService": true, "DestinationRule": true,
	"Gateway": true, "HTTPRoute": true, "ExternalSecret": true, "SealedSecret": true,
	"AnalysisTemplate": true, "ClusterAnalysisTemplate": true, "Application": true,
	"AppProject": true, "IngressRoute": true, "Middleware": true, "PeerAuthentication": true,
	"AuthorizationPolicy": true, "ServiceEntry": true, "VerticalPodAutoscaler": true, "ScaledObject": true,
}

func mayOwnPods(o *unstructured.Unstructured) bool {
	if passiveKinds[o.GetKind()] {
		return false
	}
	return !knownGroups[o.GroupVersionKind().Group]
}

package clusterstate

import (
	"fmt"
	"sort"
	"strings"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/version"

	"github.com/usecapsule/capsule/internal/manifest"
)

// State is the part of a target cluster's state the preview engines read.
type State struct {
	Nodes          []Node
	ResourceQuotas []corev1.ResourceQuota
	LimitRanges    []corev1.LimitRange
	Pods           []corev1.Pod
	// KubeVersion is like "1.34.2" (no "v"), or empty when unknown.
	KubeVersion string
}

// Node is one node with the facts pricing and capacity checks need.
type Node struct {
	Name         string
	InstanceType string
	Region       string
	Zone         string
	// Provider is "aws", "gcp", "azure" or empty when unknown.
	Provider    string
	Capacity    corev1.ResourceList
	Allocatable corev1.ResourceList
	// Requested is the sum of the requests of non-terminated pods bound to
	// the node.
	Requested corev1.ResourceList
	Labels    map[string]string
	Spot      bool
}

// Load reads a cluster-state snapshot from a directory (or file) with the
// manifest loader and builds the State.
func Load(dir string) (*State, error) {
	objs, err := manifest.Load(dir)
	if err != nil {
		return nil, err
	}
	return FromObjects(objs)
}

// FromObjects builds a State from loaded objects; kinds other than Node, Pod,
// ResourceQuota and LimitRange are ignored. Objects that do not convert to
// their typed form are reported, all at once, naming file and document.
func FromObjects(objs []manifest.Object) (*State, error) {
	st := &State{}
	var nodes []corev1.Node
	var errs manifest.LoadErrors
	for _, o := range objs {
		if o.GroupVersionKind().Group != "" {
			continue
		}
		var err error
		switch o.GetKind() {
		case "Node":
			var n corev1.Node
			if err = convert(o, &n); err == nil {
				nodes = append(nodes, n)
			}
		case "Pod":
			var p corev1.Pod
			if err = convert(o, &p); err == nil {
				st.Pods = append(st.Pods, p)
			}
		case "ResourceQuota":
			var q corev1.ResourceQuota
			if err = convert(o, &q); err == nil {
				st.ResourceQuotas = append(st.ResourceQuotas, q)
			}
		case "LimitRange":
			var l corev1.LimitRange
			if err = convert(o, &l); err == nil {
				st.LimitRanges = append(st.LimitRanges, l)
			}
		}
		if err != nil {
			errs = append(errs, &manifest.Error{File: o.File, Doc: o.Doc, Item: -1, Err: fmt.Errorf("%s: %w", o.Key(), err)})
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	requested := requestsByNode(st.Pods)
	for _, n := range nodes {
		st.Nodes = append(st.Nodes, newNode(n, requested[n.Name]))
	}
	sort.Slice(st.Nodes, func(i, j int) bool { return st.Nodes[i].Name < st.Nodes[j].Name })
	st.KubeVersion = lowestKubeletVersion(nodes)
	return st, nil
}

// convert decodes an object into its typed form. It rejects quantities that
// do not parse, with the converter's message naming the field. Unknown
// fields are accepted: a newer cluster than our API types adds fields.
func convert(o manifest.Object, into any) (err error) {
	// The converter panics on some malformed inputs (e.g. a quantity of the
	// wrong type); bad input must give an error, never a panic.
	defer func() {
		if r := recover(); r != nil {
			err = fmt.Errorf("cannot decode: %v", r)
		}
	}()
	return runtime.DefaultUnstructuredConverter.FromUnstructured(o.Object, into)
}

func lowestKubeletVersion(nodes []corev1.Node) string {
	var low *version.Version
	for _, n := range nodes {
		v, err := version.ParseGeneric(n.Status.NodeInfo.KubeletVersion)
		if err != nil {
			continue
		}
		if low == nil || v.LessThan(low) {
			low = v
		}
	}
	if low == nil {
		return ""
	}
	return strings.TrimPrefix(low.String(), "v")
}

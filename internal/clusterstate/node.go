package clusterstate

import (
	"strings"

	corev1 "k8s.io/api/core/v1"
)

// Well-known node labels, current form first, deprecated form second.
var (
	instanceTypeLabels = []string{"node.kubernetes.io/instance-type", "beta.kubernetes.io/instance-type"}
	regionLabels       = []string{"topology.kubernetes.io/region", "failure-domain.beta.kubernetes.io/region"}
	zoneLabels         = []string{"topology.kubernetes.io/zone", "failure-domain.beta.kubernetes.io/zone"}
)

// spotLabels are label/value pairs by which the clouds and Karpenter mark
// spot or preemptible capacity; an empty value means "any value".
var spotLabels = map[string]string{
	"eks.amazonaws.com/capacityType":        "SPOT",
	"karpenter.sh/capacity-type":            "spot",
	"cloud.google.com/gke-spot":             "true",
	"cloud.google.com/gke-preemptible":      "true",
	"kubernetes.azure.com/scalesetpriority": "spot",
	"node.kubernetes.io/lifecycle":          "spot",
	"node-lifecycle":                        "spot",
}

func newNode(n corev1.Node, requested corev1.ResourceList) Node {
	if requested == nil {
		requested = corev1.ResourceList{}
	}
	return Node{
		Name:         n.Name,
		InstanceType: firstLabel(n.Labels, instanceTypeLabels),
		Region:       firstLabel(n.Labels, regionLabels),
		Zone:         firstLabel(n.Labels, zoneLabels),
		Provider:     provider(n),
		Capacity:     n.Status.Capacity,
		Allocatable:  n.Status.Allocatable,
		Requested:    requested,
		Labels:       n.Labels,
		Spot:         isSpot(n.Labels),
	}
}

func firstLabel(labels map[string]string, keys []string) string {
	for _, k := range keys {
		if v := labels[k]; v != "" {
			return v
		}
	}
	return ""
}

func provider(n corev1.Node) string {
	id := n.Spec.ProviderID
	switch {
	case strings.HasPrefix(id, "aws://"):
		return "aws"
	case strings.HasPrefix(id, "gce://"):
		return "gcp"
	case strings.HasPrefix(id, "azure://"):
		return "azure"
	}
	for k := range n.Labels {
		switch {
		case strings.HasPrefix(k, "eks.amazonaws.com/"), strings.HasPrefix(k, "k8s.amazonaws.com/"):
			return "aws"
		case strings.HasPrefix(k, "cloud.google.com/"):
			return "gcp"
		case strings.HasPrefix(k, "kubernetes.azure.com/"):
			return "azure"
		}
	}
	return ""
}

func isSpot(labels map[string]string) bool {
	for k, want := range spotLabels {
		if v, ok := labels[k]; ok && strings.EqualFold(v, want) {
			return true
		}
	}
	return false
}

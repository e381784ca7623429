package testenv

import (
	"context"
	"fmt"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/kubernetes"
)

// Fake node shape: a mid-sized cloud VM, spread over three zones of one
// region, so scheduling, topology spread and cost estimates see realistic
// labels and capacity.
const (
	// NodeInstanceType is the node.kubernetes.io/instance-type of every
	// fake node.
	NodeInstanceType = "m5.xlarge"
	// NodeRegion is the topology.kubernetes.io/region of every fake node.
	NodeRegion = "us-east-1"
)

// NodeZones are the zones fake nodes are spread over, round robin.
var NodeZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

func fakeNode(i int) *corev1.Node {
	name := fmt.Sprintf("kwok-node-%d", i)
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("4"),
		corev1.ResourceMemory:           resource.MustParse("16Gi"),
		corev1.ResourcePods:             resource.MustParse("110"),
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	// Allocatable is capacity minus what a kubelet reserves for the
	// system, as on a real node.
	allocatable := corev1.ResourceList{
		corev1.ResourceCPU:              resource.MustParse("3920m"),
		corev1.ResourceMemory:           resource.MustParse("15Gi"),
		corev1.ResourcePods:             resource.MustParse("110"),
		corev1.ResourceEphemeralStorage: resource.MustParse("95Gi"),
	}
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
			Labels: map[string]string{
				"type":                             "kwok",
				"kubernetes.io/hostname":           name,
				"kubernetes.io/os":                 "linux",
				"kubernetes.io/arch":               "amd64",
				"node.kubernetes.io/instance-type": NodeInstanceType,
				"topology.kubernetes.io/region":    NodeRegion,
				"topology.kubernetes.io/zone":      NodeZones[i%len(NodeZones)],
			},
		},
		Status: corev1.NodeStatus{Capacity: capacity, Allocatable: allocatable},
	}
}

// createNodes registers n fake nodes for kwok to manage. Node status is
// accepted on create, so capacity is set here and kwok keeps it.
func createNodes(ctx context.Context, client kubernetes.Interface, n int) ([]string, error) {
	names := make([]string, 0, n)
	for i := range n {
		node, err := client.CoreV1().Nodes().Create(ctx, fakeNode(i), metav1.CreateOptions{})
		if err != nil {
			return nil, fmt.Errorf("testenv: create node %d: %w", i, err)
		}
		names = append(names, node.Name)
	}
	return names, nil
}

// nodeSchedulable reports whether kwok has marked n Ready and the node
// lifecycle controller has lifted its not-ready taint.
func nodeSchedulable(n *corev1.Node) bool {
	ready := false
	for _, c := range n.Status.Conditions {
		if c.Type == corev1.NodeReady && c.Status == corev1.ConditionTrue {
			ready = true
		}
	}
	for _, t := range n.Spec.Taints {
		if t.Key == corev1.TaintNodeNotReady || t.Key == corev1.TaintNodeUnreachable {
			return false
		}
	}
	return ready
}

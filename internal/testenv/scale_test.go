package testenv_test

import (
	"context"
	"github.com/usecapsule/capsule/internal/testenv/kubeclient"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/usecapsule/capsule/internal/testenv"
)

func TestNodeShapeAndScale(t *testing.T) {
	c := testenv.Start(t, testenv.WithNodes(2), testenv.WithNodeShape(testenv.NodeShape{
		CPU: "8", Memory: "32Gi", Pods: "50", Zones: []string{"eu-west-1a", "eu-west-1b"},
	}))
	client := kubeclient.For(t, c)
	ctx := context.Background()
	if err := c.Scale(ctx, 5); err != nil {
		t.Fatal(err)
	}
	nodes, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	zones := map[string]int{}
	for _, n := range nodes.Items {
		zones[n.Labels["topology.kubernetes.io/zone"]]++
		if n.Labels["node.kubernetes.io/instance-type"] != "m5.2xlarge" || n.Labels["topology.kubernetes.io/region"] != "eu-west-1" ||
			n.Status.Capacity.Cpu().String() != "8" || n.Status.Allocatable.Pods().Value() != 50 {
			t.Errorf("node %s: labels %v capacity %v", n.Name, n.Labels, n.Status.Capacity)
		}
	}
	if len(nodes.Items) != 5 || zones["eu-west-1a"] != 3 || zones["eu-west-1b"] != 2 {
		t.Errorf("after scaling to 5: %d nodes, zones %v; want 5 spread 3/2", len(nodes.Items), zones)
	}
	if err := c.Scale(ctx, 1); err != nil {
		t.Fatal(err)
	}
	nodes, err = client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != 1 || nodes.Items[0].Name != "kwok-node-0" || len(c.Nodes) != 1 {
		t.Errorf("after scaling to 1: %d nodes (%v), c.Nodes %v", len(nodes.Items), nodes.Items, c.Nodes)
	}
}

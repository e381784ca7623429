package testenv

import (
	"strings"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

func TestNodeShapeDefaultsAndLabels(t *testing.T) {
	s, err := NodeShape{}.normal()
	if err != nil {
		t.Fatal(err)
	}
	n := fakeNode(4, s)
	if n.Name != "kwok-node-4" || n.Labels["node.kubernetes.io/instance-type"] != "m5.xlarge" ||
		n.Labels["topology.kubernetes.io/zone"] != "us-east-1b" || n.Labels["topology.kubernetes.io/region"] != "us-east-1" {
		t.Errorf("node 4 of the default shape: %s %v", n.Name, n.Labels)
	}
	if got := n.Status.Allocatable.Cpu().String(); got != "3920m" {
		t.Errorf("allocatable CPU %s, want 3920m", got)
	}
	if got := n.Status.Allocatable.Memory().String(); got != "15Gi" {
		t.Errorf("allocatable memory %s, want 15Gi", got)
	}

	s, err = NodeShape{CPU: "16", Memory: "128Gi", Pods: "250", Zones: []string{"europe-west1-b", "europe-west1-c"}}.normal()
	if err != nil {
		t.Fatal(err)
	}
	n = fakeNode(1, s)
	if n.Labels["node.kubernetes.io/instance-type"] != "r5.4xlarge" || n.Labels["topology.kubernetes.io/zone"] != "europe-west1-c" ||
		n.Labels["topology.kubernetes.io/region"] != "europe-west1" || n.Status.Capacity.Pods().Value() != 250 {
		t.Errorf("node of a 16 CPU/128Gi shape over two GCP zones: %v capacity %v", n.Labels, n.Status.Capacity)
	}
}

func TestNodeShapeRejectsBadInput(t *testing.T) {
	for _, tc := range []struct {
		shape NodeShape
		want  string
	}{
		{NodeShape{CPU: "four"}, "node CPU"},
		{NodeShape{Memory: "-1Gi"}, "node memory"},
		{NodeShape{Pods: "1.5"}, "node pods"},
		{NodeShape{Memory: "1u"}, "whole number of bytes"},
		{NodeShape{CPU: "1500u"}, "whole number of millicores"},
		{NodeShape{Pods: "20000"}, "node pods"},
		{NodeShape{Zones: []string{"us east"}}, "node zone"},
		{NodeShape{InstanceType: "m5 large"}, "instance type"},
	} {
		if err := CheckNodeShape(tc.shape); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("CheckNodeShape(%+v) = %v; want an error naming %q", tc.shape, err, tc.want)
		}
	}
}

func TestInstanceTypeFor(t *testing.T) {
	for _, tc := range []struct{ cpu, mem, want string }{
		{"2", "4Gi", "c5.large"},
		{"4", "16Gi", "m5.xlarge"},
		{"8", "64Gi", "r5.2xlarge"},
		{"96", "384Gi", "m5.24xlarge"},
		{"3", "12Gi", "custom-3cpu-12Gi"},
		{"4", "10Gi", "custom-4cpu-10Gi"},
		{"500m", "1Gi", "custom-500mcpu-1Gi"},
	} {
		if got := InstanceTypeFor(resource.MustParse(tc.cpu), resource.MustParse(tc.mem)); got != tc.want {
			t.Errorf("InstanceTypeFor(%s, %s) = %s, want %s", tc.cpu, tc.mem, got, tc.want)
		}
	}
}

// FuzzNodeShape: any accepted shape yields nodes whose labels are valid and
// whose allocatable never exceeds capacity.
func FuzzNodeShape(f *testing.F) {
	f.Add("4", "16Gi", "110", "", "us-east-1a")
	f.Add("0.5", "1e9", "1", "t3.micro", "eu-1")
	f.Add("1k", "1Ti", "10000", "", "a")
	f.Add("1", "1u", "1", "", "a") // sub-byte memory once rounded allocatable above capacity
	f.Fuzz(func(t *testing.T, cpu, mem, pods, it, zone string) {
		s, err := NodeShape{CPU: cpu, Memory: mem, Pods: pods, InstanceType: it, Zones: []string{zone}}.normal()
		if err != nil {
			return
		}
		n := fakeNode(0, s)
		for k, v := range n.Labels {
			if !validLabelValue(v) {
				t.Errorf("label %s=%q is not a valid label value", k, v)
			}
		}
		if n.Status.Allocatable.Cpu().Cmp(*n.Status.Capacity.Cpu()) > 0 || n.Status.Allocatable.Memory().Cmp(*n.Status.Capacity.Memory()) > 0 {
			t.Errorf("allocatable %v above capacity %v", n.Status.Allocatable, n.Status.Capacity)
		}
	})
}

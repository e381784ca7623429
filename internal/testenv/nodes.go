package testenv

import (
	"context"
	"fmt"
	"strconv"
	"strings"
	"sync"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/usecapsule/capsule/internal/quantity"
)

// Default fake node shape: a mid-sized cloud VM, spread over three zones of
// one region, so scheduling, topology spread and cost estimates see
// realistic labels and capacity.
const (
	// NodeInstanceType is the node.kubernetes.io/instance-type of the
	// default node shape.
	NodeInstanceType = "m5.xlarge"
	// NodeRegion is the topology.kubernetes.io/region of the default shape.
	NodeRegion = "us-east-1"
	// nodeNamePrefix + index names every fake node.
	nodeNamePrefix = "kwok-node-"
	// fakeNodeLabel marks the nodes testenv created (and may remove).
	fakeNodeLabel = "type"
)

// NodeZones are the zones fake nodes are spread over by default, round robin.
var NodeZones = []string{"us-east-1a", "us-east-1b", "us-east-1c"}

// NodeShape is the capacity and labels of every fake node of a cluster.
// Zero fields take the default shape's values (4 CPU, 16Gi, 110 pods,
// m5.xlarge in us-east-1a/b/c).
type NodeShape struct {
	// CPU, Memory and Pods are the node's capacity as Kubernetes
	// quantities ("8", "32Gi", "110").
	CPU    string `json:"cpu"`
	Memory string `json:"memory"`
	Pods   string `json:"pods"`
	// InstanceType is the node.kubernetes.io/instance-type label; empty
	// means the AWS type of that CPU and memory (see InstanceTypeFor).
	InstanceType string `json:"instanceType"`
	// Zones are the topology.kubernetes.io/zone values, given to nodes
	// round robin; the region is the first zone without its letter.
	Zones []string `json:"zones"`
}

// normal fills in defaults and checks the shape, naming the bad field.
func (s NodeShape) normal() (NodeShape, error) {
	def := func(v *string, d string) {
		if *v == "" {
			*v = d
		}
	}
	def(&s.CPU, "4")
	def(&s.Memory, "16Gi")
	def(&s.Pods, "110")
	if len(s.Zones) == 0 {
		s.Zones = NodeZones
	}
	for _, f := range []struct{ name, v string }{{"node CPU", s.CPU}, {"node memory", s.Memory}, {"node pods", s.Pods}} {
		q, err := quantity.ParseString(f.v)
		if err != nil {
			return s, fmt.Errorf("%s %q is not a Kubernetes quantity (e.g. 4, 500m, 16Gi)", f.name, f.v)
		}
		if q.Sign() <= 0 {
			return s, fmt.Errorf("%s %q must be above zero", f.name, f.v)
		}
	}
	// A kubelet reports CPU in millicores and memory in bytes: finer
	// quantities ("1u") would round up above the capacity they came from.
	if cpu := resource.MustParse(s.CPU); cpu.Cmp(*resource.NewMilliQuantity(cpu.MilliValue(), resource.DecimalSI)) != 0 {
		return s, fmt.Errorf("node CPU %q must be a whole number of millicores (e.g. 500m)", s.CPU)
	}
	if mem := resource.MustParse(s.Memory); mem.Cmp(*resource.NewQuantity(mem.Value(), resource.BinarySI)) != 0 {
		return s, fmt.Errorf("node memory %q must be a whole number of bytes (e.g. 16Gi)", s.Memory)
	}
	pods := resource.MustParse(s.Pods)
	if _, ok := pods.AsInt64(); !ok || pods.Value() > 10000 {
		return s, fmt.Errorf("node pods %q must be a whole number of at most 10000", s.Pods)
	}
	for _, z := range s.Zones {
		if !validLabelValue(z) || z == "" {
			return s, fmt.Errorf("node zone %q is not a valid label value", z)
		}
	}
	if s.InstanceType == "" {
		s.InstanceType = InstanceTypeFor(resource.MustParse(s.CPU), resource.MustParse(s.Memory))
	}
	if !validLabelValue(s.InstanceType) {
		return s, fmt.Errorf("node instance type %q is not a valid label value", s.InstanceType)
	}
	return s, nil
}

// validLabelValue reports whether v may be a Kubernetes label value.
func validLabelValue(v string) bool {
	if len(v) > 63 {
		return false
	}
	for i, r := range v {
		alnum := r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || r >= '0' && r <= '9'
		if !alnum && (i == 0 || i == len(v)-1 || !strings.ContainsRune("-_.", r)) {
			return false
		}
	}
	return true
}

// region is a zone's region: "us-east-1a" → "us-east-1", as AWS and GCP
// ("europe-west1-b" → "europe-west1") name them.
func region(zone string) string {
	if i := strings.LastIndexByte(zone, '-'); i > 0 && len(zone)-i == 2 {
		return zone[:i] // GCP: europe-west1-b
	}
	if n := len(zone); n > 1 && zone[n-1] >= 'a' && zone[n-1] <= 'z' && zone[n-2] >= '0' && zone[n-2] <= '9' {
		return zone[:n-1] // AWS: us-east-1a
	}
	return zone
}

// InstanceTypeFor names the AWS general-purpose (m5), compute (c5) or
// memory (r5) type with that CPU and memory, e.g. 4 CPU and 16Gi → m5.xlarge;
// other shapes are "custom-<cpu>cpu-<memory>".
func InstanceTypeFor(cpu, memory resource.Quantity) string {
	sizes := map[int64]string{2: "large", 4: "xlarge", 8: "2xlarge", 16: "4xlarge", 32: "8xlarge", 48: "12xlarge", 64: "16xlarge", 96: "24xlarge"}
	families := map[int64]string{2: "c5", 4: "m5", 8: "r5"}
	c, gib := cpu.MilliValue(), memory.Value()
	if c%1000 == 0 && gib%(1<<30) == 0 {
		if size, ok := sizes[c/1000]; ok {
			if fam, ok := families[gib/(1<<30)/(c/1000)]; ok && gib/(1<<30)%(c/1000) == 0 {
				return fam + "." + size
			}
		}
	}
	return "custom-" + strings.ReplaceAll(cpu.String(), ".", "_") + "cpu-" + memory.String()
}

// fakeNode is node i of shape s (already normal).
func fakeNode(i int, s NodeShape) *corev1.Node {
	name := nodeNamePrefix + strconv.Itoa(i)
	cpu, mem, pods := resource.MustParse(s.CPU), resource.MustParse(s.Memory), resource.MustParse(s.Pods)
	capacity := corev1.ResourceList{
		corev1.ResourceCPU:              cpu,
		corev1.ResourceMemory:           mem,
		corev1.ResourcePods:             pods,
		corev1.ResourceEphemeralStorage: resource.MustParse("100Gi"),
	}
	// Allocatable is capacity minus what a kubelet reserves for the system,
	// as on a real node: 2% of the CPU (80m of 4) and 1/16 of the memory
	// (1Gi of 16Gi).
	allocCPU := *resource.NewMilliQuantity(cpu.MilliValue()-cpu.MilliValue()/50, resource.DecimalSI)
	allocMem := *resource.NewQuantity(mem.Value()-mem.Value()/16, resource.BinarySI)
	allocatable := corev1.ResourceList{
		corev1.ResourceCPU:              allocCPU,
		corev1.ResourceMemory:           allocMem,
		corev1.ResourcePods:             pods,
		corev1.ResourceEphemeralStorage: resource.MustParse("95Gi"),
	}
	zone := s.Zones[i%len(s.Zones)]
	return &corev1.Node{
		ObjectMeta: metav1.ObjectMeta{
			Name:        name,
			Annotations: map[string]string{"kwok.x-k8s.io/node": "fake"},
			Labels: map[string]string{
				fakeNodeLabel:                      "kwok",
				"kubernetes.io/hostname":           name,
				"kubernetes.io/os":                 "linux",
				"kubernetes.io/arch":               "amd64",
				"node.kubernetes.io/instance-type": s.InstanceType,
				"topology.kubernetes.io/region":    region(zone),
				"topology.kubernetes.io/zone":      zone,
			},
		},
		Status: corev1.NodeStatus{Capacity: capacity, Allocatable: allocatable},
	}
}

// nodeCreateParallelism is how many node creations run at once: a few
// hundred nodes register in seconds instead of one round trip each.
const nodeCreateParallelism = 8

// scaleNodes makes the cluster have exactly n fake nodes of shape s: it
// creates kwok-node-<i> for the missing indices and deletes the highest
// ones beyond n (their pods are then removed by the pod garbage collector
// and replaced by their controllers). It returns the names of the nodes
// that remain, in index order.
func scaleNodes(ctx context.Context, client *kubeClient, s NodeShape, n int) ([]string, error) {
	list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{LabelSelector: fakeNodeLabel + "=kwok"})
	if err != nil {
		return nil, fmt.Errorf("testenv: list nodes: %w", err)
	}
	have := map[int]bool{}
	for _, node := range list.Items {
		if i, err := strconv.Atoi(strings.TrimPrefix(node.Name, nodeNamePrefix)); err == nil && strings.HasPrefix(node.Name, nodeNamePrefix) {
			have[i] = true
		}
	}
	var create, remove []int
	for i := range n {
		if !have[i] {
			create = append(create, i)
		}
	}
	for i := range have {
		if i >= n {
			remove = append(remove, i)
		}
	}
	err = parallel(ctx, create, func(ctx context.Context, i int) error {
		_, err := client.CoreV1().Nodes().Create(ctx, fakeNode(i, s), metav1.CreateOptions{})
		if err != nil {
			return fmt.Errorf("testenv: create node %d: %w", i, err)
		}
		return nil
	})
	if err == nil {
		err = parallel(ctx, remove, func(ctx context.Context, i int) error {
			err := client.CoreV1().Nodes().Delete(ctx, nodeNamePrefix+strconv.Itoa(i), metav1.DeleteOptions{})
			if err != nil && !apierrors.IsNotFound(err) {
				return fmt.Errorf("testenv: delete node %d: %w", i, err)
			}
			return nil
		})
	}
	if err != nil {
		return nil, err
	}
	names := make([]string, 0, n)
	for i := range n {
		names = append(names, nodeNamePrefix+strconv.Itoa(i))
	}
	return names, nil
}

// parallel runs f for every item, nodeCreateParallelism at a time, and
// returns the first error.
func parallel(ctx context.Context, items []int, f func(context.Context, int) error) error {
	ctx, cancel := context.WithCancel(ctx)
	defer cancel()
	var (
		wg    sync.WaitGroup
		mu    sync.Mutex
		first error
	)
	sem := make(chan struct{}, nodeCreateParallelism)
	for _, it := range items {
		sem <- struct{}{}
		wg.Add(1)
		go func() {
			defer func() { <-sem; wg.Done() }()
			if err := f(ctx, it); err != nil {
				mu.Lock()
				if first == nil {
					first = err
					cancel()
				}
				mu.Unlock()
			}
		}()
	}
	wg.Wait()
	return first
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

// CheckNodeShape reports what is wrong with s, if anything, naming the
// field; zero fields are fine (they take the default).
func CheckNodeShape(s NodeShape) error {
	_, err := s.normal()
	return err
}

package allocation_test

import (
	"encoding/json"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/cost"
)

func object(t testing.TB, m map[string]any) agentproto.Object {
	t.Helper()
	b, err := json.Marshal(m)
	if err != nil {
		t.Fatal(err)
	}
	md := m["metadata"].(map[string]any)
	ns, _ := md["namespace"].(string)
	return agentproto.Object{Kind: m["kind"].(string), Namespace: ns, Name: md["name"].(string), Body: b}
}

// Node is a node of the given instance type and capacity.
func Node(t testing.TB, name, typ, cpu, mem string) agentproto.Object {
	labels := map[string]any{"topology.kubernetes.io/region": "us-east-1"}
	if typ != "" {
		labels["node.kubernetes.io/instance-type"] = typ
	}
	return object(t, map[string]any{"apiVersion": "v1", "kind": "Node",
		"metadata": map[string]any{"name": name, "labels": labels},
		"spec":     map[string]any{"providerID": "aws:///us-east-1a/i-1"},
		"status":   map[string]any{"capacity": map[string]any{"cpu": cpu, "memory": mem}}})
}

// Pod is a running pod of a Deployment's ReplicaSet on node.
func Pod(t testing.TB, ns, name, deploy, node, cpu, mem string, labels map[string]any) agentproto.Object {
	l := map[string]any{"pod-template-hash": "abc12"}
	for k, v := range labels {
		l[k] = v
	}
	yes := true
	return object(t, map[string]any{"apiVersion": "v1", "kind": "Pod",
		"metadata": map[string]any{"name": name, "namespace": ns, "labels": l,
			"ownerReferences": []any{map[string]any{"apiVersion": "apps/v1", "kind": "ReplicaSet", "name": deploy + "-abc12", "uid": "u", "controller": yes}}},
		"spec": map[string]any{"nodeName": node, "containers": []any{map[string]any{"name": "c", "image": "i",
			"resources": map[string]any{"requests": map[string]any{"cpu": cpu, "memory": mem}}}}},
		"status": map[string]any{"phase": "Running"}})
}

// Usage is a PodMetrics reading.
func Usage(t testing.TB, ns, name, cpu, mem string) agentproto.Object {
	return object(t, map[string]any{"apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics",
		"metadata":   map[string]any{"name": name, "namespace": ns},
		"containers": []any{map[string]any{"name": "c", "usage": map[string]any{"cpu": cpu, "memory": mem}}}})
}

// TestAllocationMath checks the OpenCost rules at the default rates (an
// unknown node type): max(request, usage) per resource, idle = capacity
// cost − allocated, efficiency = usage cost / allocated cost.
func TestAllocationMath(t *testing.T) {
	objs := []agentproto.Object{
		Node(t, "n1", "x9.unknown", "4", "8Gi"),
		// CPU usage above the request counts; memory usage below does not.
		Pod(t, "shop", "api-1", "api", "n1", "500m", "1Gi", map[string]any{"team": "payments"}),
		Usage(t, "shop", "api-1", "800m", "512Mi"),
		Pod(t, "kube-system", "dns-1", "coredns", "n1", "100m", "256Mi", nil),
	}
	start := time.Date(2026, 12, 1, 10, 0, 0, 0, time.UTC)
	s := allocation.Take("c1", objs, cost.NewNodePricer(cost.DefaultPricing()), start, time.Hour)
	if s.Pods != 2 || s.Nodes != 1 || len(s.Unpriced) != 1 || s.Unpriced[0] != "n1" {
		t.Fatalf("pods %d nodes %d unpriced %v", s.Pods, s.Nodes, s.Unpriced)
	}
	want := []allocation.Row{
		{ClusterID: "c1", Day: "2026-12-01", Namespace: "kube-system", Workload: "Deployment/coredns", CPUCost: 3_161_100, MemoryCost: 1_059_250},
		{ClusterID: "c1", Day: "2026-12-01", Namespace: "shop", Workload: "Deployment/api", Team: "payments",
			CPUCost: 25_288_800, MemoryCost: 4_237_000, UsageCost: 25_288_800 + 2_118_500, MeteredCost: 25_288_800 + 4_237_000},
		{ClusterID: "c1", Day: "2026-12-01", Workload: allocation.Idle,
			CPUCost: 126_444_000 - 25_288_800 - 3_161_100, MemoryCost: 33_896_000 - 4_237_000 - 1_059_250},
	}
	if len(s.Rows) != len(want) {
		t.Fatalf("rows %+v", s.Rows)
	}
	for i := range want {
		if s.Rows[i] != want[i] {
			t.Errorf("row %d:\n got %+v\nwant %+v", i, s.Rows[i], want[i])
		}
	}
}

// TestCataloguePricedNode prices a known instance type from the catalogue
// (OpenCost's split), so it is not flagged and differs from the defaults.
func TestCataloguePricedNode(t *testing.T) {
	objs := []agentproto.Object{Node(t, "n1", "t3.medium", "2", "4Gi"), Pod(t, "a", "p", "d", "n1", "1", "1Gi", nil)}
	s := allocation.Take("c1", objs, cost.NewNodePricer(cost.DefaultPricing()), time.Now(), time.Hour)
	if len(s.Unpriced) != 0 {
		t.Fatalf("t3.medium flagged unpriced")
	}
	// The whole node costs its hourly price 0.0416 $: idle + allocated.
	var total int64
	for _, r := range s.Rows {
		total += r.CPUCost + r.MemoryCost
	}
	if total < 41_599_990 || total > 41_600_010 {
		t.Fatalf("node total %d nano$, want 41,600,000", total)
	}
}

func TestSummarySharedAndIdle(t *testing.T) {
	totals := []allocation.Total{
		{Group: "a", Namespace: "x", CPUCost: 3_000_000_000, MemoryCost: 1_000_000_000, UsageCost: 1, MeteredCost: 2},
		{Group: "b", Namespace: "y", CPUCost: 1_000_000_000},
		{Group: "", Namespace: "kube-system", CPUCost: 1_000_000_000},
		{Group: "", Namespace: "", Idle: true, CPUCost: 7_000_000_000},
	}
	w := allocation.Window{}
	s := allocation.Summarize(totals, allocation.DefaultSharedRule(), w)
	if s.Idle != "7.00" || s.Shared != "1.00" || len(s.Groups) != 2 {
		t.Fatalf("%+v", s)
	}
	if g := s.Groups[0]; g.Name != "a" || g.SharedCost != "0.80" || g.TotalCost != "4.80" || *g.Efficiency != 0.5 {
		t.Fatalf("proportional: %+v", g)
	}
	if g := s.Groups[1]; g.Name != "b" || g.SharedCost != "0.20" || g.TotalCost != "1.20" || g.Efficiency != nil {
		t.Fatalf("proportional: %+v", g)
	}
	s = allocation.Summarize(totals, allocation.SharedRule{Namespaces: []string{"kube-system"}, Split: allocation.SplitEven}, w)
	if s.Groups[0].SharedCost != "0.50" || s.Groups[1].SharedCost != "0.50" {
		t.Fatalf("even: %+v", s.Groups)
	}
}

func TestQuietSeriesRaisesNone(t *testing.T) {
	days := make([]int64, 28)
	for i := range days {
		days[i] = 100_000_000_000 + int64(i%3)*1_000_000_000 // $100 ± $2
	}
	if a := allocation.Detect([]allocation.Series{{ClusterID: "c", First: time.Date(2026, 11, 1, 0, 0, 0, 0, time.UTC), Days: days}}); len(a) != 0 {
		t.Fatalf("quiet series raised %+v", a)
	}
}

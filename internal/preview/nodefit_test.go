package preview

import (
	"fmt"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/manifest"
)

// deployment renders a Deployment of n replicas each requesting cpu.
func deployment(name string, n int, cpu, nodeSelector string) string {
	sel := ""
	if nodeSelector != "" {
		sel = "\n      nodeSelector: {" + nodeSelector + "}"
	}
	return fmt.Sprintf(`apiVersion: apps/v1
kind: Deployment
metadata: {name: %[1]s, namespace: shop}
spec:
  replicas: %[2]d
  selector: {matchLabels: {app: %[1]s}}
  template:
    metadata: {labels: {app: %[1]s}}
    spec:%[4]s
      containers:
      - name: app
        image: registry.example.com/%[1]s:2.0.1
        resources: {requests: {cpu: %[3]s, memory: 256Mi}, limits: {memory: 256Mi}}
`, name, n, cpu, sel)
}

// The cluster state is what `kubectl get nodes -o yaml` and `kubectl get
// pods -A -o yaml` print: three m5.xlarge nodes (3.92 vCPU allocatable),
// each with 2.5 vCPU already requested by running pods, so 1.42 vCPU free
// per node and 4.26 vCPU in total. The total alone says 4 vCPU more fits.
func TestCapacityPerNode(t *testing.T) {
	cluster, err := ClusterFromObjects(load(t, "testdata/node-fit"))
	if err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name, proposed string
		want           int // pods reported as fitting nowhere; 0: no finding
	}{
		// 2 × 2 vCPU: 4 ≤ 4.26 free in total, but no node has 2 free.
		{"pods larger than any node's free share", deployment("reports", 2, "2", ""), 2},
		// 3 × 1 vCPU: one on each node.
		{"one pod per node fits", deployment("reports", 3, "1", ""), 0},
		// 3 × 1 vCPU restricted to the two general nodes: the third fits nowhere.
		{"node selector leaves two nodes", deployment("reports", 3, "1", "pool: general"), 1},
		// 3 × 1 vCPU, but only 2 new: scaling from 1 adds 2 pods that fit.
		{"scale-up counts the added pods", deployment("reports", 3, "1", "pool: general"), 0},
		// 3 × 1 vCPU become 2 × 2.5 vCPU: 2 more in total (fits 4.26), but
		// even with one old pod released a node has 2.42 free.
		{"larger requests replace pods", deployment("reports", 2, "2500m", ""), 2},
		// 3 × 1 vCPU become 3 × 2 vCPU: 1.42 + 1 released fits on each node.
		{"larger requests that fit in place", deployment("reports", 3, "2", ""), 0},
	}
	for i, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			proposed, err := manifest.Parse("proposed.yaml", []byte(c.proposed))
			if err != nil {
				t.Fatal(err)
			}
			var current []manifest.Object
			switch {
			case i == 3:
				current, err = manifest.Parse("current.yaml", []byte(deployment("reports", 1, "1", "pool: general")))
			case i >= 4:
				current, err = manifest.Parse("current.yaml", []byte(deployment("reports", 3, "1", "")))
			}
			if err != nil {
				t.Fatal(err)
			}
			p, err := Build(Input{Current: current, Proposed: proposed, Cluster: cluster})
			if err != nil {
				t.Fatal(err)
			}
			var got []string
			for _, f := range p.Risks {
				if f.Rule == "capacity-exceeded" {
					t.Errorf("the total fits, yet capacity-exceeded: %s", f.Message)
				}
				if f.Rule == "node-capacity-exceeded" {
					got = append(got, f.Message)
				}
			}
			switch {
			case c.want == 0 && len(got) > 0:
				t.Errorf("unexpected per-node finding: %v", got)
			case c.want > 0 && (len(got) != 1 || !strings.HasPrefix(got[0], fmt.Sprintf("%d new pod(s) of Deployment/reports", c.want)) || !strings.Contains(got[0], "ip-10-0-1-17.ec2.internal: 1.42 vCPU")):
				t.Errorf("want one finding for %d pods naming each node's free CPU, got %v", c.want, got)
			}
		})
	}
}

// A DaemonSet's pod goes to every matching node or nowhere: on the batch
// pool's one node (1.42 vCPU free) a 1.5 vCPU agent does not fit, though
// the cluster has 4.26 vCPU free in total.
func TestCapacityPerNodeDaemonSet(t *testing.T) {
	cluster, err := ClusterFromObjects(load(t, "testdata/node-fit"))
	if err != nil {
		t.Fatal(err)
	}
	agent := func(cpu string) []manifest.Object {
		objs, err := manifest.Parse("agent.yaml", []byte(`apiVersion: apps/v1
kind: DaemonSet
metadata: {name: agent, namespace: shop}
spec:
  selector: {matchLabels: {app: agent}}
  template:
    metadata: {labels: {app: agent}}
    spec:
      nodeSelector: {pool: batch}
      containers:
      - {name: agent, image: 'registry.example.com/agent:3.1.0', resources: {requests: {cpu: `+cpu+`, memory: 128Mi}, limits: {memory: 128Mi}}}
`))
		if err != nil {
			t.Fatal(err)
		}
		return objs
	}
	for _, c := range []struct {
		cpu  string
		want bool
	}{{"1500m", true}, {"1", false}} {
		p, err := Build(Input{Proposed: agent(c.cpu), Cluster: cluster})
		if err != nil {
			t.Fatal(err)
		}
		var got []string
		for _, f := range p.Risks {
			if f.Rule == "node-capacity-exceeded" {
				got = append(got, f.Message)
			}
			if f.Rule == "capacity-exceeded" {
				t.Errorf("%s: the total fits, yet capacity-exceeded: %s", c.cpu, f.Message)
			}
		}
		if c.want != (len(got) == 1) || (c.want && !strings.Contains(got[0], "nodes ip-10-0-3-17.ec2.internal have free")) {
			t.Errorf("%s vCPU agent: got %v, want a finding: %v", c.cpu, got, c.want)
		}
	}
}

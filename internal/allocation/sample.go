package allocation

import (
	"encoding/json"
	"fmt"
	"math/big"
	"sort"
	"strings"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/clusterstate"
	"github.com/usecapsule/capsule/internal/cost"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/quantity"
)

// Idle is the Workload of a cluster's idle row.
const Idle = "__idle__"

// Unallocated is the group of rows that lack the grouping label.
const Unallocated = "__unallocated__"

// Labels read from a pod to group it.
const (
	LabelTeam        = "team"
	LabelPartOf      = "app.kubernetes.io/part-of"
	LabelService     = "capsule.dev/service"
	LabelEnvironment = "capsule.dev/environment"
)

// A Row is the cost of one workload of one cluster over a period (one
// sample's interval, or a day once stored). Money is nano-dollars.
type Row struct {
	ClusterID string
	Day       string // YYYY-MM-DD (UTC) of the period's start
	Namespace string
	// Workload is the controlling owner as Kind/name (a ReplicaSet's
	// Deployment), the pod itself for a bare pod, Idle for idle capacity.
	Workload                            string
	Team, Project, Service, Environment string
	// CPUCost and MemoryCost price max(request, usage).
	CPUCost, MemoryCost int64
	// UsageCost prices usage alone, MeteredCost the allocated cost of the
	// pods whose usage was served: efficiency is their ratio.
	UsageCost, MeteredCost int64
}

// A Sample is one interval's rows of one cluster.
type Sample struct {
	Rows        []Row
	Pods, Nodes int
	// Unpriced names the nodes priced at the default rates (no instance
	// type, or one the catalogue lacks).
	Unpriced []string
}

type nodeRates struct{ cpuPerMilli, memPerByte *big.Rat }

type usage struct{ cpu, mem int64 } // millicores, bytes

// Take turns a cluster's picture (its Node, Pod and PodMetrics objects;
// others are ignored) into the cost of interval starting at start.
// Objects that cannot be read are skipped: one odd object must not stop a
// cluster's allocation.
func Take(clusterID string, objs []agentproto.Object, pricer *cost.NodePricer, start time.Time, interval time.Duration) Sample {
	var nodeObjs, podObjs []manifest.Object
	use := map[string]usage{}
	for _, o := range objs {
		switch o.Kind {
		case "Node", "Pod":
			u := &unstructured.Unstructured{}
			if err := json.Unmarshal(o.Body, &u.Object); err != nil {
				continue
			}
			if st, err := clusterstate.FromObjects([]manifest.Object{{Unstructured: u}}); err != nil || st == nil {
				continue
			}
			if o.Kind == "Node" {
				nodeObjs = append(nodeObjs, manifest.Object{Unstructured: u})
			} else {
				podObjs = append(podObjs, manifest.Object{Unstructured: u})
			}
		case "PodMetrics":
			if u, ok := podUsage(o.Body); ok {
				use[o.Namespace+"/"+o.Name] = u
			}
		}
	}
	st, _ := clusterstate.FromObjects(append(nodeObjs, podObjs...))
	return take(clusterID, st, use, pricer, start, interval)
}

func take(clusterID string, st *clusterstate.State, use map[string]usage, pricer *cost.NodePricer, start time.Time, interval time.Duration) Sample {
	day := start.UTC().Format("2006-01-02")
	secs := big.NewRat(int64(interval/time.Millisecond), 1000)
	rates := func(cpu, ram *big.Rat) nodeRates {
		// $/vCPU-h → nano$ per millicore over the interval; $/GiB-h → per byte.
		c := new(big.Rat).Mul(cpu, secs)
		c.Mul(c, big.NewRat(1_000_000_000, 1000*3600))
		m := new(big.Rat).Mul(ram, secs)
		m.Mul(m, big.NewRat(1_000_000_000, 3600))
		m.Quo(m, big.NewRat(1<<30, 1))
		return nodeRates{c, m}
	}
	smp := Sample{Nodes: len(st.Nodes)}
	byNode := map[string]nodeRates{}
	dcpu, dram, _ := pricer.Rates(clusterstate.Node{})
	defaults := rates(dcpu, dram)
	for _, n := range st.Nodes {
		cpu, ram, known := pricer.Rates(n)
		if !known {
			smp.Unpriced = append(smp.Unpriced, n.Name)
		}
		byNode[n.Name] = rates(cpu, ram)
	}
	rows := map[string]*Row{}
	allocCPU, allocMem := map[string]int64{}, map[string]int64{}
	pods := append([]corev1.Pod(nil), st.Pods...)
	sort.Slice(pods, func(i, j int) bool {
		return pods[i].Namespace+"/"+pods[i].Name < pods[j].Namespace+"/"+pods[j].Name
	})
	for i := range pods {
		p := &pods[i]
		if p.Spec.NodeName == "" || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		smp.Pods++
		r, ok := byNode[p.Spec.NodeName]
		if !ok {
			r = defaults
		}
		req := clusterstate.PodRequests(&p.Spec)
		cpu, mem := req.Cpu().MilliValue(), req.Memory().Value()
		u, metered := use[p.Namespace+"/"+p.Name]
		if metered {
			cpu, mem = max(cpu, u.cpu), max(mem, u.mem)
		}
		c, m := price(cpu, r.cpuPerMilli), price(mem, r.memPerByte)
		allocCPU[p.Spec.NodeName] += c
		allocMem[p.Spec.NodeName] += m
		wl := workload(p)
		key := p.Namespace + "\x00" + wl
		row := rows[key]
		if row == nil {
			l := p.Labels
			row = &Row{ClusterID: clusterID, Day: day, Namespace: p.Namespace, Workload: wl,
				Team: l[LabelTeam], Project: l[LabelPartOf], Service: l[LabelService], Environment: l[LabelEnvironment]}
			rows[key] = row
		}
		row.CPUCost += c
		row.MemoryCost += m
		if metered {
			row.UsageCost += price(u.cpu, r.cpuPerMilli) + price(u.mem, r.memPerByte)
			row.MeteredCost += c + m
		}
	}
	idle := Row{ClusterID: clusterID, Day: day, Workload: Idle}
	for _, n := range st.Nodes {
		r := byNode[n.Name]
		capCPU, capMem := n.Capacity.Cpu().MilliValue(), n.Capacity.Memory().Value()
		idle.CPUCost += max(0, price(capCPU, r.cpuPerMilli)-allocCPU[n.Name])
		idle.MemoryCost += max(0, price(capMem, r.memPerByte)-allocMem[n.Name])
	}
	for _, r := range rows {
		smp.Rows = append(smp.Rows, *r)
	}
	sort.Slice(smp.Rows, func(i, j int) bool {
		a, b := smp.Rows[i], smp.Rows[j]
		return a.Namespace+"\x00"+a.Workload < b.Namespace+"\x00"+b.Workload
	})
	if len(st.Nodes) > 0 {
		smp.Rows = append(smp.Rows, idle)
	}
	return smp
}

// price rounds amount × rate to whole nano-dollars.
func price(amount int64, rate *big.Rat) int64 {
	if amount <= 0 {
		return 0
	}
	x := new(big.Rat).Mul(big.NewRat(amount, 1), rate)
	q, r := new(big.Int).QuoRem(x.Num(), x.Denom(), new(big.Int))
	if r.Lsh(r, 1).Cmp(x.Denom()) >= 0 {
		q.Add(q, big.NewInt(1))
	}
	return q.Int64()
}

// workload names a pod's controlling owner; a ReplicaSet that a
// Deployment made (its name is the Deployment's plus the pod-template-hash)
// counts as the Deployment, so a rollout stays one workload.
func workload(p *corev1.Pod) string {
	for _, o := range p.OwnerReferences {
		if o.Controller == nil || !*o.Controller {
			continue
		}
		if o.Kind == "ReplicaSet" {
			if h := p.Labels["pod-template-hash"]; h != "" && strings.HasSuffix(o.Name, "-"+h) {
				return "Deployment/" + strings.TrimSuffix(o.Name, "-"+h)
			}
		}
		return o.Kind + "/" + o.Name
	}
	return "Pod/" + p.Name
}

// podUsage sums a PodMetrics object's container usage.
func podUsage(body []byte) (usage, bool) {
	var m struct {
		Containers []struct {
			Usage map[string]any `json:"usage"`
		} `json:"containers"`
	}
	if err := json.Unmarshal(body, &m); err != nil || len(m.Containers) == 0 {
		return usage{}, false
	}
	var u usage
	for _, c := range m.Containers {
		if v, ok := c.Usage["cpu"]; ok {
			if mc, ok := quantity.Milli(v); ok {
				u.cpu += mc
			}
		}
		if v, ok := c.Usage["memory"]; ok {
			if q, err := quantity.Parse(v); err == nil {
				u.mem += q.Value()
			}
		}
	}
	return u, true
}

// Validate refuses a row the store cannot keep.
func (r Row) Validate() error {
	if r.ClusterID == "" || r.Day == "" || r.Workload == "" {
		return fmt.Errorf("allocation row needs cluster, day and workload: %+v", r)
	}
	return nil
}

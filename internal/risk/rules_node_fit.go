package risk

import (
	"fmt"
	"sort"
	"strings"

	"github.com/usecapsule/capsule/internal/clusterstate"
)

// Per-node capacity. The cluster-wide total can hide a breach: three nodes
// with 0.5 vCPU free each have 1.5 vCPU free together, yet not one of them
// can take a pod asking for 1 vCPU. This rule places the change's new pods
// on the nodes the way the scheduler's fit check does (each pod whole, on
// one node its nodeSelector and required node affinity allow, within that
// node's allocatable minus what is already requested there) and reports
// the pods that fit nowhere while the total still fits (the total rule
// reports the rest).
//
// New pods are those of workloads the current set lacks, and the added
// replicas of workloads whose pod requests are unchanged. When a workload's
// requests change, every pod is replaced: each new pod may take the place
// of one old pod (whose requests are among those already on the nodes), so
// it needs a node with its own requests free once one old pod's are
// released there. That is optimistic (the old pod may run elsewhere), so a
// pod reported still fits nowhere. A DaemonSet's pod (or the growth of its
// requests) is checked on each node it selects, before the other pods are
// placed: a node without room runs without it. Taints are not evaluated.

func init() {
	register(setRule{Meta{"node-capacity-exceeded", "capacity", 8}, checkNodeFit})
}

// newPod is one pod the change adds.
type newPod struct {
	w        *Workload
	cpu, mem int64
	// oldCPU and oldMem are the requests of the old pod it replaces (0 for
	// an added pod).
	oldCPU, oldMem int64
}

func newPods(ctx *Context) []newPod {
	var out []newPod
	for _, w := range ctx.Set.Workloads {
		if w.Kind == "DaemonSet" {
			continue
		}
		d := podDemand(w.Pod)
		n := pods(ctx.Set, w, ctx.Cluster.Nodes)
		if d["requests.cpu"] == 0 && d["requests.memory"] == 0 {
			continue
		}
		var replaced int64
		var bd demand
		if b := ctx.Baseline.workload(w.Key); b != nil {
			bd = podDemand(b.Pod)
			old := pods(ctx.Baseline, b, ctx.Cluster.Nodes)
			if bd["requests.cpu"] == d["requests.cpu"] && bd["requests.memory"] == d["requests.memory"] {
				n -= old // the same pods keep running; only added ones are new
			} else {
				replaced = old
			}
		}
		for i := int64(0); i < n; i++ {
			p := newPod{w: w, cpu: d["requests.cpu"], mem: d["requests.memory"]}
			if i < replaced {
				p.oldCPU, p.oldMem = bd["requests.cpu"], bd["requests.memory"]
			}
			out = append(out, p)
		}
	}
	return out
}

// workload returns the workload with the given key, or nil.
func (s *Set) workload(key string) *Workload {
	i := sort.Search(len(s.Workloads), func(i int) bool { return s.Workloads[i].Key >= key })
	if i < len(s.Workloads) && s.Workloads[i].Key == key {
		return s.Workloads[i]
	}
	return nil
}

func checkNodeFit(m Meta, ctx *Context) []Finding {
	if ctx.Cluster == nil || len(ctx.Cluster.Nodes) == 0 || totalExceeded(ctx) {
		return nil
	}
	nodes := ctx.Cluster.Nodes
	freeCPU, freeMem := make([]int64, len(nodes)), make([]int64, len(nodes))
	for i, n := range nodes {
		freeCPU[i] = n.Allocatable["cpu"] - n.Requested["cpu"]
		freeMem[i] = n.Allocatable["memory"] - n.Requested["memory"]
	}
	out := daemonSetFit(m, ctx, freeCPU, freeMem)
	pending := newPods(ctx)
	// Largest first, as a scheduler that places the big pods early would
	// manage; a pod that does not fit then surely fits nowhere.
	sort.SliceStable(pending, func(i, j int) bool { return pending[i].cpu > pending[j].cpu })
	unplaced := map[string]int{}
	var order []string
	for _, p := range pending {
		best := -1
		for i, n := range nodes {
			if freeCPU[i]+p.oldCPU < p.cpu || freeMem[i]+p.oldMem < p.mem {
				continue
			}
			if n.Labels != nil && !clusterstate.MatchesNode(p.w.Spec, n.Labels) {
				continue
			}
			if best < 0 || freeCPU[i] > freeCPU[best] {
				best = i
			}
		}
		if best < 0 {
			if unplaced[p.w.Key] == 0 {
				order = append(order, p.w.Key)
			}
			unplaced[p.w.Key]++
			continue
		}
		freeCPU[best] -= p.cpu - p.oldCPU
		freeMem[best] -= p.mem - p.oldMem
	}
	for _, key := range order {
		w := ctx.Set.workload(key)
		d := podDemand(w.Pod)
		out = append(out, m.finding(key, "/spec/replicas", "%d new pod(s) of %s (%s, %s each) fit on no node although the cluster has enough free in total; free per node before the change: %s",
			unplaced[key], key, formatMilli("cpu", d["requests.cpu"]), formatMilli("memory", d["requests.memory"]), nodeFree(nodes)))
	}
	return out
}

// daemonSetFit checks, node by node, the pod each DaemonSet of the change
// adds (or the growth of its requests) against what that node has free,
// and takes it from the free amounts. A node without room runs without the
// DaemonSet's pod (its log shipper, its network or storage agent).
func daemonSetFit(m Meta, ctx *Context, freeCPU, freeMem []int64) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		if w.Kind != "DaemonSet" {
			continue
		}
		d := podDemand(w.Pod)
		cpu, mem := d["requests.cpu"], d["requests.memory"]
		if b := ctx.Baseline.workload(w.Key); b != nil {
			bd := podDemand(b.Pod)
			cpu, mem = cpu-bd["requests.cpu"], mem-bd["requests.memory"]
		}
		if cpu <= 0 && mem <= 0 {
			continue
		}
		var short []string
		for i, n := range ctx.Cluster.Nodes {
			if n.Labels != nil && !clusterstate.MatchesNode(w.Spec, n.Labels) {
				continue
			}
			if freeCPU[i] < cpu || freeMem[i] < mem {
				short = append(short, n.Name)
				continue
			}
			freeCPU[i] -= cpu
			freeMem[i] -= mem
		}
		if len(short) > 0 {
			out = append(out, m.finding(w.Key, "/spec/template/spec/containers", "the pod of %s needs %s and %s more than nodes %s have free: they will run without it; free per node before the change: %s",
				w.Key, formatMilli("cpu", max(cpu, 0)), formatMilli("memory", max(mem, 0)), strings.Join(short, ", "), nodeFree(ctx.Cluster.Nodes)))
		}
	}
	return out
}

// totalExceeded reports whether the cluster-wide rule already reports the
// change as not fitting, so the same shortage is not reported twice.
func totalExceeded(ctx *Context) bool {
	return len(capacityFindings(Meta{}, ctx, false)) > 0
}

// nodeFree renders "name: 0.50 vCPU, 1.00 GiB" for each node.
func nodeFree(nodes []Node) string {
	parts := make([]string, 0, len(nodes))
	for _, n := range nodes {
		parts = append(parts, fmt.Sprintf("%s: %s, %s", n.Name,
			formatMilli("cpu", n.Allocatable["cpu"]-n.Requested["cpu"]), formatMilli("memory", n.Allocatable["memory"]-n.Requested["memory"])))
	}
	return strings.Join(parts, "; ")
}

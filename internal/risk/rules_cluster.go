package risk

import (
	"sort"

	"github.com/usecapsule/capsule/internal/quantity"
)

// Rules against the target cluster's state: quota, limit ranges and
// capacity. They count only what the change adds: the current set's pods
// already run there and are already in the quota's usage and the nodes'
// requests.

func init() {
	register(
		setRule{Meta{"quota-exceeded", "quota", 8}, checkQuota},
		setRule{Meta{"quota-nearly-full", "quota", 5}, checkQuotaNear},
		setRule{Meta{"limitrange-violation", "quota", 7}, checkLimitRanges},
		setRule{Meta{"capacity-exceeded", "capacity", 8}, checkCapacity},
		setRule{Meta{"capacity-headroom-low", "capacity", 5}, checkHeadroom},
	)
}

// inNamespace reports whether a workload is deployed into namespace ns
// (that of a quota or limit range). An object without a namespace goes to
// the target namespace: the namespace of the same Kind/name in the current
// set (a live dump says where it runs), else the one namespace all of the
// current set's objects share; when neither tells, every quota and limit
// range applies, as the snapshot is then taken to be of the target
// namespace only. Without this, a whole-cluster snapshot
// (`kubectl get ... -A`) charged an app for other namespaces' quotas.
func inNamespace(ctx *Context, w *Workload, ns string) bool {
	if ns == "" {
		return true
	}
	wns := w.Obj.GetNamespace()
	if wns == "" && ctx.Baseline != nil {
		if o := ctx.Baseline.Get(w.Key); o != nil && o.GetNamespace() != "" {
			wns = o.GetNamespace()
		} else {
			wns = ctx.Baseline.soleNamespace()
		}
	}
	return wns == "" || wns == ns
}

// checkQuota: usage after the change = used − what the current set uses +
// what this set uses. Over the hard limit is 8 (pods are rejected at
// admission); above 90% is 5.
func checkQuota(m Meta, ctx *Context) []Finding { return quotaFindings(m, ctx, false) }

// checkQuotaNear reports usage above 90% of a hard limit after the change.
func checkQuotaNear(m Meta, ctx *Context) []Finding { return quotaFindings(m, ctx, true) }

// quotaFindings reports breaches, or with near the quotas left above 90%
// but not breached. Two rules, so that a quota going from nearly full to
// breached shows as a new finding.
func quotaFindings(m Meta, ctx *Context, near bool) []Finding {
	if ctx.Cluster == nil {
		return nil
	}
	nodes := ctx.Cluster.Nodes
	var out []Finding
	for _, q := range ctx.Cluster.Quotas {
		in := func(w *Workload) bool { return inNamespace(ctx, w, q.Namespace) }
		now, base := setDemand(ctx.Set, nodes, in), setDemand(ctx.Baseline, nodes, in)
		for _, res := range sortedKeys(q.Hard) {
			if _, tracked := now[res]; !tracked {
				continue
			}
			other := max(q.Used[res]-base[res], 0)
			after, hard := other+now[res], q.Hard[res]
			key := "ResourceQuota/" + q.Name
			switch {
			case after > hard && !near:
				out = append(out, m.finding(key, "/spec/hard/"+res, "%s would exceed quota %s: %s needed, %s allowed (other workloads use %s)", res, q.Name, formatMilli(res, after), formatMilli(res, hard), formatMilli(res, other)))
			case after <= hard && after*10 > hard*9 && near:
				out = append(out, m.finding(key, "/spec/hard/"+res, "%s would use over 90%% of quota %s: %s of %s", res, q.Name, formatMilli(res, after), formatMilli(res, hard)))
			}
		}
	}
	return out
}

func sortedKeys(m map[string]int64) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	sort.Strings(out)
	return out
}

// checkLimitRanges flags container requests or limits outside a
// LimitRange's min/max, which admission rejects.
func checkLimitRanges(m Meta, ctx *Context) []Finding {
	if ctx.Cluster == nil {
		return nil
	}
	var out []Finding
	for _, lr := range ctx.Cluster.LimitRanges {
		for _, w := range ctx.Set.Workloads {
			if !inNamespace(ctx, w, lr.Namespace) {
				continue
			}
			for _, c := range w.Pod.AllContainers() {
				out = append(out, limitRangeContainer(m, lr, w, c)...)
			}
		}
	}
	return out
}

func limitRangeContainer(m Meta, lr LimitRange, w *Workload, c Container) []Finding {
	var out []Finding
	for _, res := range []string{"cpu", "memory"} {
		for _, kv := range []struct {
			field string
			value string
		}{{"requests", c.Requests[res]}, {"limits", c.Limits[res]}} {
			n, ok := quantity.Milli(kv.value)
			if !ok {
				continue
			}
			path := c.Path + "/resources/" + kv.field + "/" + res
			if hi, has := lr.Max[res]; has && n > hi {
				out = append(out, m.finding(w.Key, path, "container %q %s %s %s is above the maximum %s of LimitRange %s", c.Name, res, kv.field, kv.value, formatMilli(res, hi), lr.Name))
			}
			if lo, has := lr.Min[res]; has && n < lo {
				out = append(out, m.finding(w.Key, path, "container %q %s %s %s is below the minimum %s of LimitRange %s", c.Name, res, kv.field, kv.value, formatMilli(res, lo), lr.Name))
			}
		}
	}
	return out
}

// Headroom below this share of allocatable capacity after the change is a
// finding: an autoscaler or a node failure then has nothing to spare.
const minHeadroomPercent = 15

// checkCapacity: the change's additional requests against what the nodes
// have free. Not fitting is 8; leaving less than 15% headroom is 5.
func checkCapacity(m Meta, ctx *Context) []Finding { return capacityFindings(m, ctx, false) }

// checkHeadroom reports less than 15% of allocatable left free.
func checkHeadroom(m Meta, ctx *Context) []Finding { return capacityFindings(m, ctx, true) }

func capacityFindings(m Meta, ctx *Context, headroom bool) []Finding {
	if ctx.Cluster == nil || len(ctx.Cluster.Nodes) == 0 {
		return nil
	}
	nodes := ctx.Cluster.Nodes
	all := func(*Workload) bool { return true }
	now, base := setDemand(ctx.Set, nodes, all), setDemand(ctx.Baseline, nodes, all)
	var out []Finding
	for _, res := range []string{"cpu", "memory"} {
		var alloc, used int64
		for _, n := range ctx.Cluster.Nodes {
			alloc, used = alloc+n.Allocatable[res], used+n.Requested[res]
		}
		extra := now["requests."+res] - base["requests."+res]
		free := alloc - used - extra
		switch {
		case free < 0 && !headroom:
			out = append(out, m.finding("(cluster)", "/nodes/"+res, "the change needs %s more %s than the %d nodes have free (%s free before the change)", formatMilli(res, -free), res, len(nodes), formatMilli(res, alloc-used)))
		case free >= 0 && alloc > 0 && free*100 < alloc*minHeadroomPercent && headroom:
			out = append(out, m.finding("(cluster)", "/nodes/"+res, "after the change only %s of %s (%d%%) stays free across %d nodes", formatMilli(res, free), res, free*100/alloc, len(nodes)))
		}
	}
	return out
}

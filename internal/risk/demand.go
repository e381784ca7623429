package risk

import (
	"fmt"

	"github.com/usecapsule/capsule/internal/clusterstate"
	"github.com/usecapsule/capsule/internal/quantity"
)

// demand is the total of what a set of workloads asks for, in milli-units,
// keyed like ResourceQuota ("requests.cpu", "limits.memory", "pods").
type demand map[string]int64

// podDemand is one pod's requests and limits. A limit without a request
// counts as the request, as the API server defaults it. Init containers
// count with their maximum, as the scheduler does.
func podDemand(p Pod) demand {
	d := demand{}
	for _, c := range p.Containers {
		addContainer(d, c, false)
	}
	for _, c := range p.InitContainers {
		addContainer(d, c, true)
	}
	return d
}

func addContainer(d demand, c Container, init bool) {
	for _, r := range []string{"cpu", "memory"} {
		req, lim := c.Requests[r], c.Limits[r]
		if req == "" {
			req = lim
		}
		for key, q := range map[string]string{"requests." + r: req, "limits." + r: lim} {
			n, ok := quantity.Milli(q)
			if !ok {
				continue
			}
			if init {
				if n > d[key] {
					d[key] = n
				}
				continue
			}
			d[key] += n
		}
	}
}

// pods returns how many pods the workload runs: replicas (the HPA minimum
// where one scales it), one per node for a DaemonSet (the nodes its
// nodeSelector and required node affinity select; a node whose labels are
// unknown counts), parallelism for Jobs.
func pods(s *Set, w *Workload, nodes []Node) int64 {
	switch w.Kind {
	case "DaemonSet":
		if len(nodes) == 0 {
			return 1
		}
		var n int64
		for _, node := range nodes {
			if node.Labels == nil || clusterstate.MatchesNode(w.Spec, node.Labels) {
				n++
			}
		}
		return n
	case "Job":
		if n, ok := intAt(w.Obj.Object, "spec", "parallelism"); ok {
			return n
		}
		return 1
	case "CronJob", "Pod":
		return 1
	}
	return effectiveReplicas(s, w)
}

// setDemand totals the workloads of s for which include returns true.
func setDemand(s *Set, nodes []Node, include func(*Workload) bool) demand {
	total := demand{}
	for _, w := range s.Workloads {
		if !include(w) {
			continue
		}
		n := pods(s, w, nodes)
		for k, v := range podDemand(w.Pod) {
			total[k] += v * n
		}
		total["pods"] += n * 1000
	}
	// Quotas name CPU and memory requests also without the prefix.
	total["cpu"], total["memory"] = total["requests.cpu"], total["requests.memory"]
	return total
}

// formatMilli renders a milli-quantity of a resource for messages.
func formatMilli(resource string, v int64) string {
	switch {
	case resource == "pods":
		return fmt.Sprintf("%d pods", v/1000)
	case hasSuffix(resource, "cpu"):
		return fmt.Sprintf("%.2f vCPU", float64(v)/1000)
	case hasSuffix(resource, "memory"):
		return fmt.Sprintf("%.2f GiB", float64(v)/1000/(1<<30))
	}
	return fmt.Sprintf("%.3f", float64(v)/1000)
}

func hasSuffix(s, suffix string) bool {
	return len(s) >= len(suffix) && s[len(s)-len(suffix):] == suffix
}

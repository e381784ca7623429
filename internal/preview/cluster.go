package preview

import (
	corev1 "k8s.io/api/core/v1"

	"github.com/usecapsule/capsule/internal/clusterstate"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/risk"
)

// Cluster is the target cluster as a preview sees it: the snapshot of
// nodes, quotas and limit ranges, and the names of the ConfigMaps and
// Secrets it already holds (so references to them are not reported).
type Cluster struct {
	State      *clusterstate.State
	ConfigMaps map[string]bool // "name" and "namespace/name"
	Secrets    map[string]bool
}

// ClusterFromObjects builds the Cluster from a loaded cluster-state
// snapshot (what `capsule preview --cluster-state DIR` reads).
func ClusterFromObjects(objs []manifest.Object) (*Cluster, error) {
	st, err := clusterstate.FromObjects(objs)
	if err != nil {
		return nil, err
	}
	c := &Cluster{State: st, ConfigMaps: map[string]bool{}, Secrets: map[string]bool{}}
	for _, o := range objs {
		var names map[string]bool
		switch {
		case o.GroupVersionKind().Group != "":
			continue
		case o.GetKind() == "ConfigMap":
			names = c.ConfigMaps
		case o.GetKind() == "Secret":
			names = c.Secrets
		default:
			continue
		}
		names[o.GetName()] = true
		if ns := o.GetNamespace(); ns != "" {
			names[ns+"/"+o.GetName()] = true
		}
	}
	return c, nil
}

// state returns the snapshot, nil when the cluster is unknown.
func (c *Cluster) state() *clusterstate.State {
	if c == nil {
		return nil
	}
	return c.State
}

// riskCluster converts to the risk engine's view, in milli-units.
func (c *Cluster) riskCluster() *risk.Cluster {
	if c == nil || c.State == nil {
		return nil
	}
	rc := &risk.Cluster{ConfigMaps: c.ConfigMaps, Secrets: c.Secrets}
	for _, q := range c.State.ResourceQuotas {
		used := milliMap(q.Status.Used)
		if len(q.Status.Used) == 0 {
			used = namespaceUsage(c.State.Pods, q.Namespace)
		}
		rc.Quotas = append(rc.Quotas, risk.Quota{Namespace: q.Namespace, Name: q.Name, Hard: milliMap(q.Spec.Hard), Used: used})
	}
	for _, lr := range c.State.LimitRanges {
		for _, item := range lr.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			rc.LimitRanges = append(rc.LimitRanges, risk.LimitRange{Namespace: lr.Namespace, Name: lr.Name, Min: milliMap(item.Min), Max: milliMap(item.Max)})
		}
	}
	for _, n := range c.State.Nodes {
		rc.Nodes = append(rc.Nodes, risk.Node{Name: n.Name, Allocatable: milliMap(n.Allocatable), Requested: milliMap(n.Requested), Labels: nodeLabels(n.Labels)})
	}
	return rc
}

func milliMap(l corev1.ResourceList) map[string]int64 {
	out := make(map[string]int64, len(l))
	for k, v := range l {
		out[string(k)] = v.MilliValue()
	}
	return out
}

// namespaceUsage sums what the namespace's running and pending pods count
// against a quota, for snapshots whose quotas carry no status.used.
func namespaceUsage(pods []corev1.Pod, ns string) map[string]int64 {
	out := map[string]int64{}
	for i := range pods {
		p := &pods[i]
		if p.Namespace != ns || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		req := clusterstate.PodRequests(&p.Spec)
		for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
			if q, ok := req[r]; ok {
				out["requests."+string(r)] += q.MilliValue()
				out[string(r)] += q.MilliValue()
			}
		}
		for _, c := range p.Spec.Containers {
			for _, r := range []corev1.ResourceName{corev1.ResourceCPU, corev1.ResourceMemory} {
				if q, ok := c.Resources.Limits[r]; ok {
					out["limits."+string(r)] += q.MilliValue()
				}
			}
		}
		out["pods"] += 1000
	}
	return out
}

// nodeLabels never returns nil for a known node, so that a node without
// labels is one that matches no DaemonSet node selector (risk.Node treats
// nil as unknown).
func nodeLabels(l map[string]string) map[string]string {
	if l == nil {
		return map[string]string{}
	}
	return l
}

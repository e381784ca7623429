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
		rc.Quotas = append(rc.Quotas, risk.Quota{Namespace: q.Namespace, Name: q.Name, Hard: milliMap(q.Spec.Hard), Used: milliMap(q.Status.Used)})
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
		rc.Nodes = append(rc.Nodes, risk.Node{Name: n.Name, Allocatable: milliMap(n.Allocatable), Requested: milliMap(n.Requested)})
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

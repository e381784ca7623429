package risk

// Cluster is the target cluster as the quota, limit range, capacity and
// config-reference rules need it. Quantities are in milli-units (millicores,
// millibytes) so CPU and memory share one exact integer representation.
type Cluster struct {
	Quotas      []Quota
	LimitRanges []LimitRange
	Nodes       []Node
	// ConfigMaps and Secrets name those present in the target ("name" or
	// "namespace/name"), so references to them are not reported missing.
	ConfigMaps map[string]bool
	Secrets    map[string]bool
}

// Quota is one ResourceQuota: hard limits and, when the cluster reported
// it, current usage (status.used), keyed by resource name
// ("requests.cpu", "limits.memory", "pods", "cpu", ...).
type Quota struct {
	Namespace string
	Name      string
	Hard      map[string]int64
	Used      map[string]int64
}

// LimitRange is the Container-type part of one LimitRange.
type LimitRange struct {
	Namespace string
	Name      string
	Min       map[string]int64
	Max       map[string]int64
}

// Node is one node's allocatable capacity and the requests already placed
// on it, keyed by "cpu" and "memory".
type Node struct {
	Name        string
	Allocatable map[string]int64
	Requested   map[string]int64
	// Labels select the nodes a DaemonSet runs on; nil means unknown (the
	// node counts for every DaemonSet).
	Labels map[string]string
}

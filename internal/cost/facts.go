package cost

import (
	"fmt"
	"math"
	"math/bits"

	corev1 "k8s.io/api/core/v1"

	"github.com/usecapsule/capsule/internal/clusterstate"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/quantity"
)

// facts are the priced quantities of one object, independent of prices.
type facts struct {
	pod                   *podUsage // per replica; nil for non-workloads
	replicas, maxReplicas int64
	job, dsEstimated      bool
	claimsPerReplica      []claim
	claims                []claim
	loadBalancers         int64
	reasons               []string
}

type claim struct {
	bytes int64
	class string
}

func (f *facts) usesNodes() bool { return f.pod != nil }

func (e *estimator) factsOf(o *manifest.Object) (*facts, bool, error) {
	switch gk(*o) {
	case "/PersistentVolumeClaim":
		c, err := claimOf(o.Object, "spec")
		if err != nil {
			return nil, false, err
		}
		return &facts{claims: []claim{c}}, true, nil
	case "/Service":
		if t, _ := nested(o.Object, "spec", "type").(string); t == "LoadBalancer" {
			return &facts{loadBalancers: 1}, true, nil
		}
		return nil, false, nil
	}
	w, ok, err := workloadOf(*o, e.byName)
	if err != nil || !ok {
		return nil, false, err
	}
	return e.workloadFacts(o, w)
}

func (e *estimator) workloadFacts(o *manifest.Object, w *workload) (*facts, bool, error) {
	ns := o.GetNamespace()
	if ns == "" {
		ns = e.opts.targets[o.Key()]
	}
	pod, err := podUsageOf(w.podSpec, w.specPath, e.limitRange(ns))
	if err != nil {
		return nil, false, err
	}
	f := &facts{pod: pod, replicas: w.replicas, job: w.job, reasons: pod.reasons}
	if hpa, ok := e.hpas[o.GetKind()+"/"+o.GetNamespace()+"/"+o.GetName()]; ok {
		f.replicas, f.maxReplicas = hpa[0], hpa[1]
	}
	if w.daemon {
		f.replicas, f.dsEstimated = e.daemonNodes(w.podSpec)
		if f.dsEstimated {
			f.reasons = append(f.reasons, fmt.Sprintf("no cluster nodes known: DaemonSet priced on %d nodes", f.replicas))
		}
	}
	if w.job {
		f.reasons = append(f.reasons, "a Job is priced as running all month; it may run for less")
	}
	for i, t := range w.claims {
		tm, _ := t.(map[string]any)
		c, err := claimOf(tm, "spec")
		if err != nil {
			return nil, false, fmt.Errorf("spec.volumeClaimTemplates[%d]: %w", i, err)
		}
		f.claimsPerReplica = append(f.claimsPerReplica, c)
	}
	return f, true, nil
}

func claimOf(m map[string]any, specKey string) (claim, error) {
	v := nested(m, specKey, "resources", "requests", "storage")
	if v == nil {
		return claim{}, nil
	}
	q, err := quantity.Parse(v)
	if err != nil {
		return claim{}, fmt.Errorf("%s.resources.requests.storage: quantity %v does not parse", specKey, v)
	}
	if q.Sign() < 0 || q.Cmp(maxQuantity) > 0 {
		return claim{}, fmt.Errorf("%s.resources.requests.storage: quantity %v is out of range (0 to 1Pi)", specKey, v)
	}
	class, _ := nested(m, specKey, "storageClassName").(string)
	return claim{bytes: q.Value(), class: class}, nil
}

// daemonNodes counts the cluster's nodes that match the DaemonSet's
// nodeSelector and required node affinity (taints are not evaluated);
// without nodes it returns the configured count and true (estimated).
func (e *estimator) daemonNodes(spec map[string]any) (int64, bool) {
	if e.st == nil || len(e.st.Nodes) == 0 {
		n := e.opts.DaemonSetNodes
		if n <= 0 {
			n = defaultDaemonSetNodes
		}
		return int64(n), true
	}
	var n int64
	for _, node := range e.st.Nodes {
		if clusterstate.MatchesNode(spec, node.Labels) {
			n++
		}
	}
	return n, false
}

// limitRange returns the container defaults of a namespace's LimitRanges;
// an object without a namespace uses them when they all live in one
// namespace (the target namespace of the snapshot).
func (e *estimator) limitRange(ns string) containerDefaults {
	d := containerDefaults{request: corev1.ResourceList{}, limit: corev1.ResourceList{}}
	if e.st == nil {
		return d
	}
	namespaces := map[string]bool{}
	for _, lr := range e.st.LimitRanges {
		namespaces[lr.Namespace] = true
	}
	for _, lr := range e.st.LimitRanges {
		if lr.Namespace != ns && (ns != "" || len(namespaces) != 1) {
			continue
		}
		for _, item := range lr.Spec.Limits {
			if item.Type != corev1.LimitTypeContainer {
				continue
			}
			for k, q := range item.DefaultRequest {
				d.request[k] = q
			}
			for k, q := range item.Default {
				d.limit[k] = q
			}
		}
	}
	return d
}

// usageAt is the reserved resources at a replica count. Inputs are bounded
// (1M cores, 1Pi, 100000 replicas), so the products fit in int64 once
// scaled down.
func (f *facts) usageAt(replicas int64) Usage {
	u := Usage{LoadBalancers: f.loadBalancers}
	if f.pod != nil {
		u.CPUMillicores = mulDiv(f.pod.cpu, replicas, 1_000_000)
		u.MemoryBytes = mulDiv(f.pod.mem, replicas, 1)
		u.GPUs = f.pod.gpu * replicas
	}
	for _, c := range f.claims {
		u.StorageBytes += c.bytes
	}
	for _, c := range f.claimsPerReplica {
		u.StorageBytes += mulDiv(c.bytes, replicas, 1)
	}
	return u
}

// mulDiv returns round(a·b/c) for non-negative a, b and positive c,
// saturating at the int64 maximum.
func mulDiv(a, b, c int64) int64 {
	hi, lo := bits.Mul64(uint64(a), uint64(b))
	if hi >= uint64(c) {
		return math.MaxInt64
	}
	q, r := bits.Div64(hi, lo, uint64(c))
	if r >= uint64(c)-r {
		q++
	}
	if q > math.MaxInt64 {
		return math.MaxInt64
	}
	return int64(q)
}

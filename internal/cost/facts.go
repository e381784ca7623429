package cost

import (
	"fmt"
	"math/big"

	corev1 "k8s.io/api/core/v1"

	"github.com/usecapsule/capsule/internal/manifest"
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
	gib   *big.Rat
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
	pod, err := podUsageOf(w.podSpec, w.specPath, e.limitRange(o.GetNamespace()))
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
		return claim{gib: new(big.Rat)}, nil
	}
	q, err := quantity(v)
	if err != nil {
		return claim{}, fmt.Errorf("%s.resources.requests.storage: quantity %v does not parse", specKey, v)
	}
	if q.Sign() < 0 || q.Cmp(maxQuantity) > 0 {
		return claim{}, fmt.Errorf("%s.resources.requests.storage: quantity %v is out of range (0 to 1Pi)", specKey, v)
	}
	class, _ := nested(m, specKey, "storageClassName").(string)
	return claim{gib: scaleDec(q, 1<<30), class: class}, nil
}

// daemonNodes counts the cluster's nodes that match the DaemonSet's
// nodeSelector (affinity and taints are not evaluated); without nodes it
// returns the configured count and true (estimated).
func (e *estimator) daemonNodes(spec map[string]any) (int64, bool) {
	if e.st == nil || len(e.st.Nodes) == 0 {
		n := e.opts.DaemonSetNodes
		if n <= 0 {
			n = defaultDaemonSetNodes
		}
		return int64(n), true
	}
	sel, _ := spec["nodeSelector"].(map[string]any)
	var n int64
	for _, node := range e.st.Nodes {
		match := true
		for k, v := range sel {
			if s, _ := v.(string); node.Labels[k] != s {
				match = false
				break
			}
		}
		if match {
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

// usageAt is the reserved resources at a replica count.
func (f *facts) usageAt(replicas int64) Usage {
	u := Usage{LoadBalancers: f.loadBalancers}
	r := big.NewRat(replicas, 1)
	if f.pod != nil {
		u.CPUMillicores = roundInt(new(big.Rat).Mul(new(big.Rat).Mul(f.pod.cpu, r), big.NewRat(1000, 1)))
		u.MemoryBytes = roundInt(new(big.Rat).Mul(new(big.Rat).Mul(f.pod.mem, r), big.NewRat(1<<30, 1)))
		u.GPUs = roundInt(new(big.Rat).Mul(f.pod.gpu, r))
	}
	storage := new(big.Rat)
	for _, c := range f.claims {
		storage.Add(storage, c.gib)
	}
	for _, c := range f.claimsPerReplica {
		storage.Add(storage, new(big.Rat).Mul(c.gib, r))
	}
	u.StorageBytes = roundInt(storage.Mul(storage, big.NewRat(1<<30, 1)))
	return u
}

// roundInt rounds to the nearest integer, halves away from zero.
func roundInt(r *big.Rat) int64 {
	return roundRat(r).Int64()
}

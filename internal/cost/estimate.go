package cost

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/usecapsule/capsule/internal/clusterstate"
	"github.com/usecapsule/capsule/internal/manifest"
)

// Options tune Estimate and Delta.
type Options struct {
	// MatchNamespace makes the namespace part of an object's identity when
	// Delta matches current and proposed items (as in the diff engine).
	MatchNamespace bool
	// DaemonSetNodes is the node count a DaemonSet runs on when the cluster
	// state has no nodes; 0 means 3.
	DaemonSetNodes int
	// targets maps "Kind/name" of namespace-less objects to the namespace
	// they are deployed into, learned by Delta from the current set.
	targets map[string]string
}

// defaultDaemonSetNodes is a small highly-available cluster.
const defaultDaemonSetNodes = 3

// Estimate prices a set of objects for one month. Objects whose quantities
// do not parse make it fail, listing every such object by file and document:
// a total that silently skipped them would look complete.
func Estimate(objs []manifest.Object, st *clusterstate.State, p Pricing, opts Options) (*Report, error) {
	e := newEstimator(objs, st, p, opts)
	rep := &Report{Currency: "USD", Rates: e.rates, Items: []Item{}}
	errs := e.errs
	owned := 0
	gen := manifest.Generated(objs)
	for i := range objs {
		if objs[i].Controlled() || (gen[i] && objs[i].GetKind() == "PersistentVolumeClaim") {
			owned++
			continue
		}
		it, ok, err := e.item(&objs[i])
		if err != nil {
			errs = append(errs, &manifest.Error{File: objs[i].File, Doc: objs[i].Doc, Item: -1, Err: fmt.Errorf("%s: %w", objs[i].Key(), err)})
			continue
		}
		if ok {
			rep.Items = append(rep.Items, it)
		}
	}
	if len(errs) > 0 {
		return nil, errs
	}
	sort.SliceStable(rep.Items, func(i, j int) bool {
		a, b := rep.Items[i], rep.Items[j]
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		return a.Namespace < b.Namespace
	})
	rep.total(e.rates)
	if owned > 0 {
		rep.Notes = append(rep.Notes, fmt.Sprintf("%d object(s) managed by a controller (ownerReferences, or claims of a StatefulSet's volumeClaimTemplates) are priced through their owner", owned))
	}
	if n := unpricedOperands(objs); n != "" {
		rep.Notes = append(rep.Notes, n)
	}
	return rep, nil
}

func (r *Report) total(rates Rates) {
	var low, high Money
	var reasons []string
	for _, it := range r.Items {
		r.Components = r.Components.plus(it.Components)
		r.Usage = r.Usage.plus(it.Usage)
		r.Max += it.maxMonthly()
		low += it.low()
		high += it.high()
		if it.Confidence != nil {
			reasons = append(reasons, it.Resource+": "+it.Confidence.Reasons[0])
		}
	}
	r.Monthly = r.Components.Total()
	if low != r.Monthly || high != r.Monthly {
		r.Confidence = &Band{Low: low, High: high, Reasons: append(append([]string{}, rates.Notes...), reasons...)}
	}
}

// estimator holds what every object's pricing shares.
type estimator struct {
	rates   Rates
	st      *clusterstate.State
	opts    Options
	hpas    map[string][2]int64 // "Kind/ns/name" → min, max
	objects []manifest.Object
	errs    manifest.LoadErrors // problems found while indexing (bad HPAs)
	// Exact per-unit monthly rates as big-integer fractions of micro-dollars
	// per base unit (nanocore, byte, device), prepared once.
	cpuRate, memRate, gpuRate, lbRate ratio
	storageRates                      map[string]ratio
	scratch                           [2]big.Int
}

func newEstimator(objs []manifest.Object, st *clusterstate.State, p Pricing, opts Options) *estimator {
	e := &estimator{rates: resolveRates(p, st), st: st, opts: opts, hpas: map[string][2]int64{}, objects: objs}
	e.prepareRates()
	for i := range objs {
		o := &objs[i]
		if o.GetKind() != "HorizontalPodAutoscaler" {
			continue
		}
		kind, _ := nested(o.Object, "spec", "scaleTargetRef", "kind").(string)
		name, _ := nested(o.Object, "spec", "scaleTargetRef", "name").(string)
		lo, err := intField(o.Object, 1, "spec", "minReplicas")
		hi, errHi := intField(o.Object, lo, "spec", "maxReplicas")
		if err == nil {
			err = errHi
		}
		if err != nil {
			e.errs = append(e.errs, &manifest.Error{File: o.File, Doc: o.Doc, Item: -1, Err: fmt.Errorf("%s: %w", o.Key(), err)})
			continue
		}
		if kind != "" && name != "" {
			e.hpas[kind+"/"+o.GetNamespace()+"/"+name] = [2]int64{lo, max(hi, lo)}
		}
	}
	return e
}

// byName finds an object of the set; only Rollouts with a workloadRef ask,
// so a scan is cheaper than an index built for every estimate.
func (e *estimator) byName(kind, ns, name string) *manifest.Object {
	for i := range e.objects {
		o := &e.objects[i]
		if o.GetName() == name && o.GetKind() == kind && o.GetNamespace() == ns {
			return o
		}
	}
	return nil
}

// item prices one object; ok is false for objects that cost nothing.
func (e *estimator) item(o *manifest.Object) (Item, bool, error) {
	f, ok, err := e.factsOf(o)
	if err != nil || !ok {
		return Item{}, false, err
	}
	it := Item{Resource: o.Key(), Namespace: o.GetNamespace(), Replicas: f.replicas}
	// The high end is the largest figure computed; if it is in range, all are.
	top := max(f.replicas, f.maxReplicas)
	if f.dsEstimated {
		top = 2 * f.replicas
	}
	if !e.cost(f, top, scenarioFor(f, true, high)).inRange() {
		return Item{}, false, fmt.Errorf("monthly cost above %s USD: a quantity or replica count is implausible", MaxMonthly)
	}
	it.Components = e.cost(f, f.replicas, mid)
	it.Monthly = it.Components.Total()
	it.Usage = f.usageAt(f.replicas)
	if f.maxReplicas > f.replicas {
		it.Max = &AtMax{Replicas: f.maxReplicas, Monthly: e.cost(f, f.maxReplicas, mid).Total()}
	}
	reasons := f.reasons
	if e.rates.Estimated && f.usesNodes() {
		reasons = append(reasons, "node prices partly unknown: CPU, memory and GPU rates ±30%")
	}
	if len(reasons) > 0 {
		lowSc, highSc := scenarioFor(f, e.rates.Estimated, low), scenarioFor(f, e.rates.Estimated, high)
		it.Confidence = &Band{
			Low:     e.cost(f, lowSc.replicas(f), lowSc).Total(),
			High:    e.cost(f, highSc.replicas(f), highSc).Total(),
			Reasons: reasons,
		}
	}
	return it, true, nil
}

// frac is an exact ratio of small integers.
type frac struct{ num, den int64 }

// scenario scales the estimated inputs for the low and high ends of a band.
type scenario struct {
	reqScale  frac  // defaulted requests
	rateScale frac  // CPU/memory/GPU rates when node prices are unknown
	jobShare  frac  // share of the month a Job runs
	dsNodes   int64 // DaemonSet nodes when the node count is unknown; 0 keeps it
}

var (
	mid  = scenario{reqScale: frac{1, 1}, rateScale: frac{1, 1}, jobShare: frac{1, 1}}
	low  = scenario{reqScale: frac{1, 2}, rateScale: frac{7, 10}, jobShare: frac{0, 1}, dsNodes: 1}
	high = scenario{reqScale: frac{2, 1}, rateScale: frac{13, 10}, jobShare: frac{1, 1}}
)

func scenarioFor(f *facts, ratesEstimated bool, s scenario) scenario {
	if !ratesEstimated {
		s.rateScale = mid.rateScale
	}
	if s.dsNodes == 0 && f.dsEstimated {
		s.dsNodes = 2 * f.replicas // the high end: twice the assumed nodes
	}
	return s
}

func (s scenario) replicas(f *facts) int64 {
	if f.dsEstimated && s.dsNodes > 0 {
		return s.dsNodes
	}
	return f.replicas
}

// unpricedOperands names the custom resources that look like workloads run
// by an operator (spec.replicas, spec.resources or a pod template: a
// Prometheus, a Kafka cluster, a Postgres cluster): their pods are not in
// the set, so the total leaves them out, and the report says so rather than
// looking complete.
func unpricedOperands(objs []manifest.Object) string {
	var names []string
	for i := range objs {
		o := &objs[i]
		g := o.ID().Group
		if manifest.BuiltinGroup(g) || g == "argoproj.io" || o.Controlled() {
			continue
		}
		spec, _ := o.Object["spec"].(map[string]any)
		_, r := spec["replicas"]
		_, res := spec["resources"]
		_, t := spec["template"]
		_, pt := spec["podTemplate"]
		if r || res || t || pt {
			names = append(names, o.Key())
		}
	}
	if len(names) == 0 {
		return ""
	}
	sort.Strings(names)
	if len(names) > 3 {
		names = append(names[:3], fmt.Sprintf("and %d more", len(names)-3))
	}
	return "custom resources run by an operator are not priced (their pods are not in the manifests): " + strings.Join(names, ", ")
}

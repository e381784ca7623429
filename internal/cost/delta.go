package cost

import (
	"fmt"
	"math/big"
	"sort"
	"strings"

	"github.com/usecapsule/capsule/internal/clusterstate"
	"github.com/usecapsule/capsule/internal/manifest"
)

// ComponentDelta is one component of an item before and after.
type ComponentDelta struct {
	Baseline  Money `json:"baseline"`
	Projected Money `json:"projected"`
	Delta     Money `json:"delta"`
}

// DeltaItem is the cost change of one object (Kind/name).
type DeltaItem struct {
	Resource  string `json:"resource"`
	Namespace string `json:"namespace,omitempty"`
	// Status is added, removed, changed or unchanged.
	Status     string                    `json:"status"`
	Baseline   Money                     `json:"baseline"`
	Projected  Money                     `json:"projected"`
	Delta      Money                     `json:"delta"`
	Components map[string]ComponentDelta `json:"components"`
	// MaxProjected is the projected cost at HPA maxReplicas, when higher.
	MaxProjected *Money `json:"max_projected,omitempty"`
	// Confidence is the projected cost's band; DeltaConfidence the delta's,
	// with each end of the band applied to both sides alike.
	Confidence      *Band `json:"confidence,omitempty"`
	DeltaConfidence *Band `json:"delta_confidence,omitempty"`
}

// DeltaReport is the monthly cost of the current and proposed sets and the
// difference, per object and in total.
type DeltaReport struct {
	Baseline  Money  `json:"baseline"`
	Projected Money  `json:"projected"`
	Delta     Money  `json:"delta"`
	Currency  string `json:"currency"`
	// Resources summarises reserved resources changes, e.g.
	// {"cpu":"+2 vCPU","memory":"+8 GiB"}.
	Resources map[string]string `json:"resources"`
	// Components is the total change per component.
	Components map[string]ComponentDelta `json:"components"`
	// MaxProjected is the projected cost with every HPA at maxReplicas.
	MaxProjected Money `json:"max_projected"`
	// Confidence is the projected cost's band when inputs were estimated;
	// DeltaConfidence the delta's, each end applied to both sides alike.
	Confidence      *Band       `json:"confidence,omitempty"`
	DeltaConfidence *Band       `json:"delta_confidence,omitempty"`
	Items           []DeltaItem `json:"items"`
	// Current and Proposed are the two full estimates.
	Current  *Report `json:"-"`
	Proposed *Report `json:"-"`
}

// Delta prices both sets with the same prices and cluster state and returns
// the per-object and total differences. Items match as in the diff engine:
// by Kind/name, and the namespace when opts.MatchNamespace.
func Delta(current, proposed []manifest.Object, st *clusterstate.State, p Pricing, opts Options) (*DeltaReport, error) {
	cur, errCur := Estimate(current, st, p, opts)
	prop, errProp := Estimate(proposed, st, p, withTargets(opts, current, proposed))
	if errCur != nil || errProp != nil {
		return nil, joinSides(errCur, errProp)
	}
	d := &DeltaReport{
		Baseline: cur.Monthly, Projected: prop.Monthly, Delta: shownDelta(cur.Monthly, prop.Monthly),
		Currency: "USD", MaxProjected: prop.Max, Confidence: prop.Confidence,
		Components: componentDeltas(cur.Components, prop.Components),
		Resources:  resourcesSummary(cur.Usage, prop.Usage),
		Current:    cur, Proposed: prop, Items: []DeltaItem{},
	}
	d.Items = matchItems(cur.Items, prop.Items, opts.MatchNamespace)
	markExisting(d.Items, current, proposed, opts.MatchNamespace)
	d.DeltaConfidence = deltaBand(cur.Monthly, cur.Confidence, prop.Monthly, prop.Confidence)
	return d, nil
}

// withTargets records where the proposed set's namespace-less objects go:
// the namespace of the same Kind/name in the current set (a live dump says
// where it runs), else the one namespace the current set uses. The
// LimitRange defaults of that namespace then apply, not those of whatever
// namespace a whole-cluster snapshot has LimitRanges in.
func withTargets(opts Options, current, proposed []manifest.Object) Options {
	byKey := map[string]string{}
	sole, several := "", false
	for i := range current {
		ns := current[i].GetNamespace()
		if ns == "" {
			continue
		}
		byKey[current[i].Key()] = ns
		if sole != "" && sole != ns {
			several = true
		}
		sole = ns
	}
	if several {
		sole = ""
	}
	opts.targets = map[string]string{}
	for i := range proposed {
		if proposed[i].GetNamespace() != "" {
			continue
		}
		if ns, ok := byKey[proposed[i].Key()]; ok {
			opts.targets[proposed[i].Key()] = ns
		} else if sole != "" {
			opts.targets[proposed[i].Key()] = sole
		}
	}
	return opts
}

// markExisting corrects the status of items priced on one side only whose
// object exists, unpriced, on the other: a ClusterIP Service turned into a
// LoadBalancer is changed, not added.
func markExisting(items []DeltaItem, current, proposed []manifest.Object, withNS bool) {
	keys := func(set []manifest.Object) map[string]bool {
		out := make(map[string]bool, len(set))
		for i := range set {
			k := set[i].Key()
			if withNS {
				k += "@" + set[i].GetNamespace()
			}
			out[k] = true
		}
		return out
	}
	inCur, inProp := keys(current), keys(proposed)
	for i := range items {
		k := items[i].Resource
		if withNS {
			k += "@" + items[i].Namespace
		}
		if (items[i].Status == "added" && inCur[k]) || (items[i].Status == "removed" && inProp[k]) {
			items[i].Status = "changed"
		}
	}
}

func joinSides(cur, prop error) error {
	var parts []string
	if cur != nil {
		parts = append(parts, "current: "+cur.Error())
	}
	if prop != nil {
		parts = append(parts, "proposed: "+prop.Error())
	}
	return fmt.Errorf("cost: %s", strings.Join(parts, "\n"))
}

func matchItems(cur, prop []Item, withNS bool) []DeltaItem {
	key := func(it Item) string {
		if withNS {
			return it.Resource + "@" + it.Namespace
		}
		return it.Resource
	}
	byKey := map[string]Item{}
	for _, it := range cur {
		byKey[key(it)] = it
	}
	var out []DeltaItem
	for _, p := range prop {
		c, had := byKey[key(p)]
		delete(byKey, key(p))
		out = append(out, deltaItem(&c, had, &p, true))
	}
	for _, c := range cur {
		if _, left := byKey[key(c)]; left {
			out = append(out, deltaItem(&c, true, nil, false))
		}
	}
	sort.SliceStable(out, func(i, j int) bool {
		if out[i].Resource != out[j].Resource {
			return out[i].Resource < out[j].Resource
		}
		return out[i].Namespace < out[j].Namespace
	})
	if out == nil {
		out = []DeltaItem{}
	}
	return out
}

func deltaItem(cur *Item, hasCur bool, prop *Item, hasProp bool) DeltaItem {
	var cc, pc Components
	di := DeltaItem{}
	if hasCur {
		cc, di.Resource, di.Namespace, di.Baseline = cur.Components, cur.Resource, cur.Namespace, cur.Monthly
	}
	if hasProp {
		pc, di.Resource, di.Namespace, di.Projected = prop.Components, prop.Resource, prop.Namespace, prop.Monthly
		di.Confidence = prop.Confidence
		if prop.Max != nil {
			m := prop.Max.Monthly
			di.MaxProjected = &m
		}
	}
	di.Delta = shownDelta(di.Baseline, di.Projected)
	var cb *Band
	if hasCur {
		cb = cur.Confidence
	}
	di.DeltaConfidence = deltaBand(di.Baseline, cb, di.Projected, di.Confidence)
	di.Components = componentDeltas(cc, pc)
	switch {
	case !hasCur:
		di.Status = "added"
	case !hasProp:
		di.Status = "removed"
	case cc != pc:
		di.Status = "changed"
	default:
		di.Status = "unchanged"
	}
	return di
}

// deltaBand is the band of projected − baseline when either side has one:
// the low ends subtracted and the high ends subtracted, in order.
func deltaBand(base Money, bb *Band, proj Money, pb *Band) *Band {
	if bb == nil && pb == nil {
		return nil
	}
	bl, bh, pl, ph := base, base, proj, proj
	var reasons []string
	if bb != nil {
		bl, bh = bb.Low, bb.High
		reasons = append(reasons, bb.Reasons...)
	}
	if pb != nil {
		pl, ph = pb.Low, pb.High
		reasons = append(reasons, pb.Reasons...)
	}
	lo, hi := pl-bl, ph-bh
	if lo > hi {
		lo, hi = hi, lo
	}
	return &Band{Low: lo, High: hi, Reasons: dedupe(reasons)}
}

func dedupe(in []string) []string {
	seen := map[string]bool{}
	out := in[:0:0]
	for _, s := range in {
		if !seen[s] {
			seen[s] = true
			out = append(out, s)
		}
	}
	return out
}

func componentDeltas(cur, prop Components) map[string]ComponentDelta {
	return map[string]ComponentDelta{
		"cpu":           {cur.CPU, prop.CPU, shownDelta(cur.CPU, prop.CPU)},
		"memory":        {cur.Memory, prop.Memory, shownDelta(cur.Memory, prop.Memory)},
		"storage":       {cur.Storage, prop.Storage, shownDelta(cur.Storage, prop.Storage)},
		"gpu":           {cur.GPU, prop.GPU, shownDelta(cur.GPU, prop.GPU)},
		"load_balancer": {cur.LoadBalancer, prop.LoadBalancer, shownDelta(cur.LoadBalancer, prop.LoadBalancer)},
	}
}

// resourcesSummary renders reserved-resource changes for people: CPU and
// memory always, GPUs, storage and load balancers when they change.
func resourcesSummary(cur, prop Usage) map[string]string {
	out := map[string]string{
		"cpu":    signed(big.NewRat(prop.CPUMillicores-cur.CPUMillicores, 1000), 3) + " vCPU",
		"memory": signed(big.NewRat(prop.MemoryBytes-cur.MemoryBytes, 1<<30), 2) + " GiB",
	}
	if d := prop.GPUs - cur.GPUs; d != 0 {
		out["gpu"] = signed(big.NewRat(d, 1), 0) + " GPU"
	}
	if d := prop.StorageBytes - cur.StorageBytes; d != 0 {
		out["storage"] = signed(big.NewRat(d, 1<<30), 2) + " GiB"
	}
	if d := prop.LoadBalancers - cur.LoadBalancers; d != 0 {
		out["load_balancer"] = signed(big.NewRat(d, 1), 0) + " LoadBalancer"
	}
	return out
}

// signed formats r with at most prec decimals, trailing zeros trimmed, and
// an explicit sign.
func signed(r *big.Rat, prec int) string {
	s := r.FloatString(prec)
	if strings.Contains(s, ".") {
		s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	}
	if s == "-0" {
		s = "0"
	}
	if !strings.HasPrefix(s, "-") {
		s = "+" + s
	}
	return s
}

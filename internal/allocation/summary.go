package allocation

import (
	"fmt"
	"math"
	"math/big"
	"slices"
	"sort"
	"time"
)

// Groups a summary may be grouped by.
var Groups = []string{"team", "project", "service", "namespace", "cluster", "environment"}

// Split rules for shared costs.
const (
	SplitProportional = "proportional"
	SplitEven         = "even"
)

// SharedRule declares which namespaces are shared and how their cost is
// spread over the groups.
type SharedRule struct {
	Namespaces []string
	Split      string // SplitProportional (default) or SplitEven
}

// DefaultSharedRule shares kube-system in proportion to allocated cost.
func DefaultSharedRule() SharedRule {
	return SharedRule{Namespaces: []string{"kube-system"}, Split: SplitProportional}
}

// Validate names what is wrong with a rule.
func (s SharedRule) Validate() error {
	if s.Split != "" && s.Split != SplitProportional && s.Split != SplitEven {
		return fmt.Errorf("shared cost split %q is not %s or %s", s.Split, SplitProportional, SplitEven)
	}
	return nil
}

// A Total is the summed cost of one group value in one namespace, as the
// store's grouped query returns it (nano-dollars).
type Total struct {
	Group, Namespace                            string
	Idle                                        bool
	CPUCost, MemoryCost, UsageCost, MeteredCost int64
}

// Window is the period a summary covers.
type Window struct {
	Start time.Time `json:"start"`
	End   time.Time `json:"end"`
}

// Summary is the cost of each group over a window.
type Summary struct {
	Window   Window  `json:"window"`
	Currency string  `json:"currency"`
	Groups   []Group `json:"groups"`
	// Idle is unallocated node capacity; Shared the shared namespaces'
	// cost, already included in the groups' shared_cost.
	Idle   string `json:"idle"`
	Shared string `json:"shared"`
}

// Group is one group's cost. TotalCost = CPUCost + MemoryCost + SharedCost.
type Group struct {
	Name       string `json:"name"`
	CPUCost    string `json:"cpu_cost"`
	MemoryCost string `json:"memory_cost"`
	SharedCost string `json:"shared_cost"`
	TotalCost  string `json:"total_cost"`
	// Efficiency is usage cost over allocated cost of the pods whose usage
	// was served (0..1, above 1 never); null when none was.
	Efficiency *float64 `json:"efficiency"`
}

type groupSum struct {
	name                     string
	cpu, mem, usage, metered int64
	shared                   int64
}

// Summarize builds a summary from grouped totals. Groups are ordered by
// total cost, highest first, then name.
func Summarize(totals []Total, rule SharedRule, w Window) Summary {
	shared := map[string]bool{}
	for _, ns := range rule.Namespaces {
		shared[ns] = true
	}
	var idle, sharedCost int64
	sums := map[string]*groupSum{}
	for _, t := range totals {
		switch {
		case t.Idle:
			idle += t.CPUCost + t.MemoryCost
			continue
		case shared[t.Namespace]:
			sharedCost += t.CPUCost + t.MemoryCost
			continue
		}
		name := t.Group
		if name == "" {
			name = Unallocated
		}
		g := sums[name]
		if g == nil {
			g = &groupSum{name: name}
			sums[name] = g
		}
		g.cpu += t.CPUCost
		g.mem += t.MemoryCost
		g.usage += t.UsageCost
		g.metered += t.MeteredCost
	}
	list := make([]*groupSum, 0, len(sums))
	for _, g := range sums {
		list = append(list, g)
	}
	sort.Slice(list, func(i, j int) bool { return list[i].name < list[j].name })
	spread(list, sharedCost, rule.Split)
	s := Summary{Window: w, Currency: "USD", Groups: []Group{}, Idle: USD(idle), Shared: USD(sharedCost)}
	slices.SortStableFunc(list, func(a, b *groupSum) int {
		ta, tb := a.cpu+a.mem+a.shared, b.cpu+b.mem+b.shared
		switch {
		case ta > tb:
			return -1
		case ta < tb:
			return 1
		}
		return 0
	})
	for _, g := range list {
		out := Group{Name: g.name, CPUCost: USD(g.cpu), MemoryCost: USD(g.mem), SharedCost: USD(g.shared),
			TotalCost: USD(g.cpu + g.mem + g.shared)}
		if g.metered > 0 {
			e := math.Round(min(1, float64(g.usage)/float64(g.metered))*1e4) / 1e4
			out.Efficiency = &e
		}
		s.Groups = append(s.Groups, out)
	}
	return s
}

// spread gives each group its part of the shared cost, exactly: the parts
// are floored and the remainder goes to the groups in name order, so they
// always add up to the shared total.
func spread(list []*groupSum, total int64, split string) {
	if len(list) == 0 || total == 0 {
		return
	}
	weights := make([]int64, len(list))
	var sum int64
	for i, g := range list {
		weights[i] = 1
		if split != SplitEven {
			weights[i] = g.cpu + g.mem
		}
		sum += weights[i]
	}
	if sum == 0 {
		for i := range weights {
			weights[i] = 1
		}
		sum = int64(len(weights))
	}
	given := int64(0)
	for i, g := range list {
		part := new(big.Int).Mul(big.NewInt(total), big.NewInt(weights[i]))
		part.Quo(part, big.NewInt(sum))
		g.shared = part.Int64()
		given += g.shared
	}
	for i := 0; given < total; i = (i + 1) % len(list) {
		list[i].shared++
		given++
	}
}

// USD formats nano-dollars as dollars with two decimals, rounded half
// away from zero.
func USD(nano int64) string {
	neg := nano < 0
	if neg {
		nano = -nano
	}
	cents := (nano + 5_000_000) / 10_000_000
	s := fmt.Sprintf("%d.%02d", cents/100, cents%100)
	if neg && cents != 0 {
		s = "-" + s
	}
	return s
}

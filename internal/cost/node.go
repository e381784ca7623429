package cost

import (
	"math/big"

	"github.com/usecapsule/capsule/internal/clusterstate"
)

// NodePricer prices single nodes the way estimates price a cluster's:
// the catalogue price of the node's instance type split into a per-vCPU
// and a per-GiB hourly rate (OpenCost's split), a pricing file's CPU or
// memory price winning over it, the defaults for an unknown type.
// Allocation over time prices each pod at its own node's rates, so it
// needs them per node rather than the cluster's weighted average.
type NodePricer struct {
	p   Pricing
	cat *Catalog
	gpu *big.Rat
}

// NewNodePricer returns a pricer over p (its catalogue merged with its
// instance overrides once, not per node).
func NewNodePricer(p Pricing) *NodePricer {
	return &NodePricer{p: p, cat: p.Catalog.merged(p.Instances), gpu: unit(p.GPU, DefaultGPU)}
}

// Rates returns n's $ per vCPU-hour and $ per GiB-hour; known is false
// when its instance type is missing or not in the catalogue, and the
// rates are then the defaults (or the pricing file's).
func (np *NodePricer) Rates(n clusterstate.Node) (cpu, ram *big.Rat, known bool) {
	cpu, ram = unit(np.p.CPU, DefaultCPU), unit(np.p.Memory, DefaultMemory)
	in, _, ok := np.cat.Lookup(n.Provider, n.Region, n.InstanceType)
	if ok {
		c, r, _ := splitRates(in, np.gpu)
		if !np.p.CPU.IsSet() {
			cpu = c
		}
		if !np.p.Memory.IsSet() {
			ram = r
		}
	}
	return cpu, ram, ok
}

package cost

import (
	"fmt"
	"math/big"
	"sort"

	corev1 "k8s.io/api/core/v1"

	"github.com/usecapsule/capsule/internal/clusterstate"
)

// Rates are the unit prices one estimate uses, with where they came from.
type Rates struct {
	// CPU $ per vCPU-hour, Memory $ per GiB-hour, GPU $ per GPU-hour,
	// Storage $ per GiB-month, LoadBalancer $ per hour.
	CPU          Price `json:"cpu"`
	Memory       Price `json:"memory"`
	GPU          Price `json:"gpu"`
	Storage      Price `json:"storage"`
	LoadBalancer Price `json:"load_balancer"`
	// Source says how CPU and memory rates were found: "pricing file",
	// "cluster nodes (catalogue)", "default".
	Source string `json:"source"`
	// Estimated is true when some nodes had no known price, so node-derived
	// rates are partly defaults.
	Estimated bool `json:"estimated"`
	// Notes explain the estimate (unpriced node types and so on).
	Notes []string `json:"notes,omitempty"`

	storageClasses map[string]Price
}

// resolveRates picks unit prices: explicit pricing-file prices first, then
// the node-weighted catalogue prices of the cluster's nodes, then defaults.
func resolveRates(p Pricing, st *clusterstate.State) Rates {
	r := Rates{
		GPU:            Price{unit(p.GPU, DefaultGPU)},
		Storage:        Price{unit(p.Storage, DefaultStorage)},
		LoadBalancer:   Price{unit(p.LoadBalancer, DefaultLoadBalancer)},
		Source:         "default",
		storageClasses: p.StorageClasses,
	}
	r.CPU, r.Memory = Price{unit(Price{}, DefaultCPU)}, Price{unit(Price{}, DefaultMemory)}
	if st != nil && len(st.Nodes) > 0 {
		nodeRates(&r, p, st.Nodes)
	}
	// Each unit price the file sets wins on its own; node-derived rates stay
	// for the other.
	switch {
	case p.CPU.IsSet() && p.Memory.IsSet():
		r.Source, r.Estimated, r.Notes = "pricing file", false, nil
	case p.CPU.IsSet() || p.Memory.IsSet():
		r.Source += " + pricing file"
	}
	if p.CPU.IsSet() {
		r.CPU = p.CPU
	}
	if p.Memory.IsSet() {
		r.Memory = p.Memory
	}
	return r
}

// nodeRates sets CPU and memory rates to the averages of the nodes' split
// catalogue prices, weighted by each node's vCPU and memory capacity; nodes
// of unknown type count at the default rates and make the rates estimated.
func nodeRates(r *Rates, p Pricing, nodes []clusterstate.Node) {
	cat := p.Catalog.merged(p.Instances)
	gpuRate := unit(p.GPU, DefaultGPU)
	cpuSum, ramSum := new(big.Rat), new(big.Rat)
	cpuW, ramW := new(big.Rat), new(big.Rat)
	unknown := map[string]int{}
	for _, n := range nodes {
		cpu, ram := r.CPU.Rat(), r.Memory.Rat()
		in, exact, ok := cat.Lookup(n.Provider, n.Region, n.InstanceType)
		if ok {
			cpu, ram, _ = splitRates(in, gpuRate)
		}
		if !ok || !exact {
			unknown[nodeTypeLabel(n, ok)]++
		}
		vcpu, gib := nodeShape(n, in, ok)
		cpuSum.Add(cpuSum, new(big.Rat).Mul(cpu, vcpu))
		ramSum.Add(ramSum, new(big.Rat).Mul(ram, gib))
		cpuW.Add(cpuW, vcpu)
		ramW.Add(ramW, gib)
	}
	if cpuW.Sign() > 0 && ramW.Sign() > 0 {
		r.CPU = Price{cpuSum.Quo(cpuSum, cpuW)}
		r.Memory = Price{ramSum.Quo(ramSum, ramW)}
		r.Source = "cluster nodes (catalogue)"
	}
	r.Estimated = len(unknown) > 0
	keys := make([]string, 0, len(unknown))
	for k := range unknown {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for _, k := range keys {
		r.Notes = append(r.Notes, fmt.Sprintf("%d node(s) %s", unknown[k], k))
	}
}

func nodeTypeLabel(n clusterstate.Node, typeMatched bool) string {
	typ := n.InstanceType
	if typ == "" {
		return "without an instance-type label priced at default rates"
	}
	if typeMatched {
		return fmt.Sprintf("of type %s priced from another region or provider", typ)
	}
	return fmt.Sprintf("of unknown type %s priced at default rates", typ)
}

// nodeShape is the node's capacity in vCPU and GiB, from its status, else
// from the catalogue entry, else 1 vCPU / 1 GiB so it still counts.
func nodeShape(n clusterstate.Node, in Instance, ok bool) (*big.Rat, *big.Rat) {
	cpu, hasCPU := n.Capacity[corev1.ResourceCPU]
	mem, hasMem := n.Capacity[corev1.ResourceMemory]
	switch {
	case hasCPU && hasMem && !cpu.IsZero() && !mem.IsZero():
		return big.NewRat(cpu.MilliValue(), 1000), big.NewRat(mem.Value(), 1<<30)
	case ok:
		return in.VCPU.Rat(), in.MemoryGiB.Rat()
	}
	return big.NewRat(1, 1), big.NewRat(1, 1)
}

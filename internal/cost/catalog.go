package cost

import (
	"embed"
	"fmt"
	"io/fs"
	"math/big"
	"sort"
	"strings"
	"sync"

	"sigs.k8s.io/yaml"
)

// Instance is the on-demand price and shape of one instance type in one
// region.
type Instance struct {
	Provider  string `json:"provider"`
	Region    string `json:"region"`
	Type      string `json:"type"`
	VCPU      Price  `json:"vcpu"`
	MemoryGiB Price  `json:"memory_gib"`
	GPU       int64  `json:"gpu,omitempty"`
	Hourly    Price  `json:"hourly"`
	Source    string `json:"source,omitempty"`
	AsOf      string `json:"as_of,omitempty"`

	override bool // from a pricing file: wins over the shipped catalogue
}

func (in Instance) validate() error {
	switch {
	case in.Type == "":
		return fmt.Errorf("type is required")
	case !in.Hourly.IsSet():
		return fmt.Errorf("%s: hourly price is required", in.Type)
	case !in.VCPU.IsSet() || in.VCPU.Rat().Sign() <= 0:
		return fmt.Errorf("%s: vcpu must be positive", in.Type)
	case !in.MemoryGiB.IsSet() || in.MemoryGiB.Rat().Sign() <= 0:
		return fmt.Errorf("%s: memory_gib must be positive", in.Type)
	case in.GPU < 0:
		return fmt.Errorf("%s: gpu must not be negative", in.Type)
	}
	return nil
}

// Catalog is a price list of instance types, looked up by provider, region
// and type.
type Catalog struct {
	byKey  map[string]Instance // provider/region/type
	byType map[string][]Instance
}

// catalogFile is the layout of one file under catalog/.
type catalogFile struct {
	Provider  string     `json:"provider"`
	Source    string     `json:"source"`
	AsOf      string     `json:"as_of"`
	Instances []Instance `json:"instances"`
}

//go:embed catalog/*.yaml
var catalogFS embed.FS

// ShippedCatalog returns the catalogue embedded in the binary. The files
// are checked by tests, so a parse failure here is a build defect.
var ShippedCatalog = sync.OnceValue(func() *Catalog {
	c, err := parseCatalog(catalogFS)
	if err != nil {
		panic("cost: shipped catalogue: " + err.Error())
	}
	return c
})

func parseCatalog(fsys fs.FS) (*Catalog, error) {
	names, err := fs.Glob(fsys, "catalog/*.yaml")
	if err != nil {
		return nil, err
	}
	c := NewCatalog(nil)
	for _, n := range names {
		data, err := fs.ReadFile(fsys, n)
		if err != nil {
			return nil, err
		}
		var f catalogFile
		if err := yaml.UnmarshalStrict(data, &f); err != nil {
			return nil, fmt.Errorf("%s: %w", n, err)
		}
		for i, in := range f.Instances {
			in.Provider, in.Source, in.AsOf = f.Provider, f.Source, f.AsOf
			if err := in.validate(); err != nil {
				return nil, fmt.Errorf("%s: instances[%d]: %w", n, i, err)
			}
			c.add(in)
		}
	}
	return c, nil
}

// NewCatalog builds a catalogue from instances.
func NewCatalog(instances []Instance) *Catalog {
	c := &Catalog{byKey: map[string]Instance{}, byType: map[string][]Instance{}}
	for _, in := range instances {
		c.add(in)
	}
	return c
}

// add adds or replaces an entry; a replacing entry (a pricing file's) is
// tried first among entries of its type.
func (c *Catalog) add(in Instance) {
	k := strings.ToLower(in.Provider + "/" + in.Region + "/" + in.Type)
	t := strings.ToLower(in.Type)
	list := c.byType[t]
	for i, old := range list {
		if strings.EqualFold(old.Provider+"/"+old.Region, in.Provider+"/"+in.Region) {
			list = append(list[:i:i], list[i+1:]...)
			break
		}
	}
	c.byType[t] = append([]Instance{in}, list...)
	c.byKey[k] = in
}

// Instances returns every entry, sorted by provider, region and type.
func (c *Catalog) Instances() []Instance {
	out := make([]Instance, 0, len(c.byKey))
	for _, in := range c.byKey {
		out = append(out, in)
	}
	sort.Slice(out, func(i, j int) bool {
		a, b := out[i], out[j]
		return a.Provider+"/"+a.Region+"/"+a.Type < b.Provider+"/"+b.Region+"/"+b.Type
	})
	return out
}

// Lookup finds an instance type: first the exact provider/region/type, then
// an entry that leaves provider or region blank (as a pricing file may),
// then the type in another region of the provider, then anywhere. exact is
// false for the last two, which make the price an estimate.
func (c *Catalog) Lookup(provider, region, typ string) (in Instance, exact, ok bool) {
	if c == nil || typ == "" {
		return Instance{}, false, false
	}
	same := func(a, b string) bool { return a == "" || strings.EqualFold(a, b) }
	candidates := c.byType[strings.ToLower(typ)]
	for _, in := range candidates {
		if in.override && same(in.Provider, provider) && same(in.Region, region) {
			return in, true, true
		}
	}
	if in, ok := c.byKey[strings.ToLower(provider+"/"+region+"/"+typ)]; ok {
		return in, true, true
	}
	for _, in := range candidates {
		// An unknown provider (no providerID, no cloud labels: kwok,
		// self-managed nodes) still matches by region and type: instance
		// type names are specific to one provider.
		if (provider == "" || same(in.Provider, provider)) && same(in.Region, region) {
			return in, true, true
		}
	}
	for _, in := range candidates {
		if provider == "" || same(in.Provider, provider) {
			return in, false, true
		}
	}
	return Instance{}, false, false
}

// merged returns a catalogue with extra entries overriding c's.
func (c *Catalog) merged(extra []Instance) *Catalog {
	if len(extra) == 0 {
		return c
	}
	out := NewCatalog(nil)
	if c != nil {
		for _, in := range c.Instances() {
			out.add(in)
		}
	}
	for _, in := range extra {
		in.override = true
		out.add(in)
	}
	return out
}

// splitRates divides an instance's hourly price into per-vCPU and per-GiB
// hourly rates the way OpenCost does: with ratio = default CPU price /
// default RAM price, ram = P / (ratio·vCPU + GiB) and cpu = ratio·ram. GPUs
// are first taken out at gpuRate each (at most half the price).
func splitRates(in Instance, gpuRate *big.Rat) (cpu, ram, gpu *big.Rat) {
	p := new(big.Rat).Set(in.Hourly.Rat())
	gpu = new(big.Rat)
	if in.GPU > 0 {
		total := new(big.Rat).Mul(gpuRate, big.NewRat(in.GPU, 1))
		half := new(big.Rat).Quo(p, big.NewRat(2, 1))
		if total.Cmp(half) > 0 {
			total = half
		}
		p.Sub(p, total)
		gpu.Quo(total, big.NewRat(in.GPU, 1))
	}
	ratio := new(big.Rat).Quo(mustPrice(DefaultCPU).Rat(), mustPrice(DefaultMemory).Rat())
	den := new(big.Rat).Mul(ratio, in.VCPU.Rat())
	den.Add(den, in.MemoryGiB.Rat())
	ram = new(big.Rat).Quo(p, den)
	cpu = new(big.Rat).Mul(ratio, ram)
	return cpu, ram, gpu
}

package cost

import (
	"encoding/json"
	"fmt"
	"math/big"
	"strings"

	"sigs.k8s.io/yaml"
)

// HoursPerMonth is the month length of every monthly figure (PRODUCT.md).
const HoursPerMonth = 730

// Default unit prices (OpenCost defaults, PRODUCT.md), exact decimals.
const (
	DefaultCPU          = "0.031611" // $ per vCPU-hour
	DefaultMemory       = "0.004237" // $ per GiB-hour
	DefaultGPU          = "0.95"     // $ per GPU-hour
	DefaultStorage      = "0.04"     // $ per GiB-month
	DefaultLoadBalancer = "0.025"    // $ per hour
)

// Price is an exact decimal price. The zero value means "not set".
type Price struct{ r *big.Rat }

// ParsePrice reads a decimal such as "0.031611"; negative prices are refused.
func ParsePrice(s string) (Price, error) {
	r, ok := new(big.Rat).SetString(strings.TrimSpace(s))
	if !ok {
		return Price{}, fmt.Errorf("%q is not a decimal number", s)
	}
	if r.Sign() < 0 {
		return Price{}, fmt.Errorf("price %s is negative", s)
	}
	return Price{r}, nil
}

func mustPrice(s string) Price {
	p, err := ParsePrice(s)
	if err != nil {
		panic(err) // only used on the constants above
	}
	return p
}

// IsSet reports whether the price was given.
func (p Price) IsSet() bool { return p.r != nil }

// Rat returns the price as a rational number (zero when unset).
func (p Price) Rat() *big.Rat {
	if p.r == nil {
		return new(big.Rat)
	}
	return p.r
}

// String renders the price with up to 6 decimals.
func (p Price) String() string {
	if p.r == nil {
		return ""
	}
	s := p.r.FloatString(6)
	s = strings.TrimRight(strings.TrimRight(s, "0"), ".")
	return s
}

// MarshalJSON writes the price as a JSON number.
func (p Price) MarshalJSON() ([]byte, error) {
	if p.r == nil {
		return []byte("null"), nil
	}
	return []byte(p.String()), nil
}

// UnmarshalJSON reads a JSON number or numeric string exactly.
func (p *Price) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "null" {
		*p = Price{}
		return nil
	}
	v, err := ParsePrice(s)
	if err != nil {
		return err
	}
	*p = v
	return nil
}

// Pricing holds the unit prices and instance prices a user supplies with
// --pricing; unset fields fall back to cluster-derived or default prices.
type Pricing struct {
	// CPU is $ per vCPU-hour, Memory $ per GiB-hour, GPU $ per GPU-hour,
	// Storage $ per GiB-month and LoadBalancer $ per hour.
	CPU          Price `json:"cpu"`
	Memory       Price `json:"memory"`
	GPU          Price `json:"gpu"`
	Storage      Price `json:"storage"`
	LoadBalancer Price `json:"load_balancer"`
	// StorageClasses overrides Storage per StorageClass name.
	StorageClasses map[string]Price `json:"storage_classes,omitempty"`
	// Instances add to or override the shipped catalogue.
	Instances []Instance `json:"instances,omitempty"`
	// Catalog is the shipped catalogue; nil means none (defaults only).
	Catalog *Catalog `json:"-"`
}

// DefaultPricing returns the PRODUCT.md defaults with the shipped catalogue.
func DefaultPricing() Pricing {
	return Pricing{Catalog: ShippedCatalog()}
}

// ParsePricing reads a pricing override (YAML or JSON) on top of the
// defaults and the shipped catalogue. name is used in errors.
func ParsePricing(name string, data []byte) (Pricing, error) {
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return Pricing{}, fmt.Errorf("%s: invalid YAML: %w", name, err)
	}
	p := DefaultPricing()
	dec := json.NewDecoder(strings.NewReader(string(js)))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return Pricing{}, fmt.Errorf("%s: %w", name, err)
	}
	for i, in := range p.Instances {
		if err := in.validate(); err != nil {
			return Pricing{}, fmt.Errorf("%s: instances[%d]: %w", name, i, err)
		}
	}
	return p, nil
}

// unit returns the user's price when set, else the default.
func unit(p Price, def string) *big.Rat {
	if p.IsSet() {
		return p.Rat()
	}
	return mustPrice(def).Rat()
}

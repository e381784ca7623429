package explain

import (
	"fmt"
	"strings"
)

// Facts are everything an explainer may say: computed by the diff, cost and
// risk engines, never read from the manifests themselves.
type Facts struct {
	Added    []string `json:"added"`    // "Kind/name"
	Removed  []string `json:"removed"`  // "Kind/name"
	Modified []string `json:"modified"` // "Kind/name"
	Changes  int      `json:"field_changes"`

	Currency       string   `json:"currency"`
	BaselineCents  int64    `json:"-"`
	ProjectedCents int64    `json:"-"`
	Drivers        []Driver `json:"-"`
	Namespaces     []string `json:"-"`

	RiskLevel string `json:"risk_level"`
	Risks     []Risk `json:"-"`
}

// Driver is one resource's share of the cost change.
type Driver struct {
	Resource   string
	DeltaCents int64
}

// Risk is one finding as the explainer sees it.
type Risk struct {
	Rule     string
	Category string
	Severity float64
	Status   string
	Resource string
	Message  string
}

// DeltaCents is the monthly change.
func (f Facts) DeltaCents() int64 { return f.ProjectedCents - f.BaselineCents }

// highRisks returns the new findings of severity ≥ 7, highest first (the
// risk engine already sorts them), at most five.
func (f Facts) highRisks() []Risk {
	var out []Risk
	for _, r := range f.Risks {
		if r.Status == "new" && r.Severity >= 7 && len(out) < 5 {
			out = append(out, r)
		}
	}
	return out
}

// topDrivers returns up to three drivers with a non-zero change, largest
// absolute change first (stable on resource name).
func (f Facts) topDrivers() []Driver {
	ds := make([]Driver, 0, len(f.Drivers))
	for _, d := range f.Drivers {
		if d.DeltaCents != 0 {
			ds = append(ds, d)
		}
	}
	for i := 1; i < len(ds); i++ {
		for j := i; j > 0 && driverLess(ds[j], ds[j-1]); j-- {
			ds[j], ds[j-1] = ds[j-1], ds[j]
		}
	}
	if len(ds) > 3 {
		ds = ds[:3]
	}
	return ds
}

func driverLess(a, b Driver) bool {
	if abs(a.DeltaCents) != abs(b.DeltaCents) {
		return abs(a.DeltaCents) > abs(b.DeltaCents)
	}
	return a.Resource < b.Resource
}

func abs(n int64) int64 {
	if n < 0 {
		return -n
	}
	return n
}

// Money formats cents as "$1,234.56" (other currencies as "1,234.56 EUR").
func Money(cents int64, currency string) string {
	sign := ""
	if cents < 0 {
		sign, cents = "-", -cents
	}
	whole := fmt.Sprint(cents / 100)
	for i := len(whole) - 3; i > 0; i -= 3 {
		whole = whole[:i] + "," + whole[i:]
	}
	amount := fmt.Sprintf("%s.%02d", whole, cents%100)
	if currency == "" || currency == "USD" {
		return sign + "$" + amount
	}
	return sign + amount + " " + currency
}

// signedMoney is Money with an explicit "+" for increases.
func signedMoney(cents int64, currency string) string {
	if cents > 0 {
		return "+" + Money(cents, currency)
	}
	return Money(cents, currency)
}

func plural(n int, one, many string) string {
	if n == 1 {
		return "1 " + one
	}
	return fmt.Sprintf("%d %s", n, many)
}

func joinAnd(items []string) string {
	switch len(items) {
	case 0:
		return ""
	case 1:
		return items[0]
	}
	return strings.Join(items[:len(items)-1], ", ") + " and " + items[len(items)-1]
}

package risk

import "fmt"

// The cost-increase rule turns the cost engine's monthly delta into a
// finding, so a CI gate can stop a promotion on cost as on any risk.

func init() {
	register(changeRule{Meta{"monthly-cost-increase", "cost-increase", 3}, compareCost})
}

// Cost thresholds in cents per month. Percentages only count above a
// floor, so a $2 service doubling is not a high risk.
const (
	costMinCents    = 100    // below $1/month nothing is reported
	costMediumCents = 10000  // $100/month
	costHighCents   = 100000 // $1,000/month
	costMediumFloor = 1000   // +20% counts as medium from $10/month
	costHighFloor   = 5000   // +50% counts as high from $50/month
)

// compareCost: 3 for any increase of $1 or more; 5 at $100/month or +20%;
// 7 at $1,000/month or +50%.
func compareCost(m Meta, c *Change) []Finding {
	if c.Cost == nil {
		return nil
	}
	base, proj := c.Cost.BaselineCents, c.Cost.ProjectedCents
	d := proj - base
	if d < costMinCents {
		return nil
	}
	pct := -1.0 // no baseline: no percentage
	if base > 0 {
		pct = float64(d) * 100 / float64(base)
	}
	f := m.finding("", "/estimated_cost/delta", "monthly cost rises by %s (from %s to %s)%s", usd(d), usd(base), usd(proj), pctNote(pct))
	switch {
	case d >= costHighCents || (pct >= 50 && d >= costHighFloor) || (pct < 0 && d >= costHighFloor*2):
		f.Severity = 7
	case d >= costMediumCents || (pct >= 20 && d >= costMediumFloor) || (pct < 0 && d >= costMediumFloor*2):
		f.Severity = 5
	}
	return []Finding{f}
}

func pctNote(pct float64) string {
	if pct < 0 {
		return ""
	}
	return fmt.Sprintf(", +%.0f%%", pct)
}

// usd formats cents as "$1,234.56".
func usd(cents int64) string {
	neg := cents < 0
	if neg {
		cents = -cents
	}
	whole, frac := cents/100, cents%100
	s := itoa(whole)
	for i := len(s) - 3; i > 0; i -= 3 {
		s = s[:i] + "," + s[i:]
	}
	out := fmt.Sprintf("$%s.%02d", s, frac)
	if neg {
		out = "-" + out
	}
	return out
}

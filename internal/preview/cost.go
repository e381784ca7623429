package preview

import (
	"fmt"
	"sort"
	"strings"

	"github.com/usecapsule/capsule/internal/cost"
	"github.com/usecapsule/capsule/internal/explain"
)

// estimate prices both sets with the same prices and cluster state.
func estimate(in Input) (*cost.DeltaReport, error) {
	p := cost.DefaultPricing()
	if in.Pricing != nil {
		p = *in.Pricing
	}
	return cost.Delta(in.Current, in.Proposed, in.Cluster.state(), p, cost.Options{MatchNamespace: in.Diff.MatchNamespace})
}

// drivers are the per-resource monthly deltas, for the explanation.
func drivers(c *cost.DeltaReport) []explain.Driver {
	out := make([]explain.Driver, 0, len(c.Items))
	for _, it := range c.Items {
		out = append(out, explain.Driver{Resource: it.Resource, DeltaCents: it.Delta.Cents()})
	}
	return out
}

func writeCostText(b *strings.Builder, c *cost.DeltaReport) {
	fmt.Fprintf(b, "Cost (monthly): %s -> %s (%s)\n", money(c, c.Baseline), money(c, c.Projected), signed(c, c.Delta))
	if s := resourcesSummary(c); s != "" {
		fmt.Fprintf(b, "  reserved: %s\n", s)
	}
	if c.Confidence != nil {
		fmt.Fprintf(b, "  projected range: %s to %s (%s)\n", money(c, c.Confidence.Low), money(c, c.Confidence.High), reasons(c.Confidence.Reasons))
	}
	if c.MaxProjected > c.Projected {
		fmt.Fprintf(b, "  at HPA maxReplicas: %s\n", money(c, c.MaxProjected))
	}
	for _, it := range c.Items {
		if it.Delta != 0 {
			fmt.Fprintf(b, "  %-11s %s (%s -> %s)\n", signed(c, it.Delta), it.Resource, money(c, it.Baseline), money(c, it.Projected))
		}
	}
	for _, n := range proposedNotes(c) {
		fmt.Fprintf(b, "  note: %s\n", n)
	}
}

// proposedNotes are the proposed set's cost notes (what the figures leave
// out), when the report carries them.
func proposedNotes(c *cost.DeltaReport) []string {
	if c.Proposed == nil {
		return nil
	}
	return c.Proposed.Notes
}

func writeCostMarkdown(b *strings.Builder, c *cost.DeltaReport) {
	fmt.Fprintf(b, "Monthly: **%s → %s (%s)**", money(c, c.Baseline), money(c, c.Projected), signed(c, c.Delta))
	if s := resourcesSummary(c); s != "" {
		fmt.Fprintf(b, "; reserved %s", s)
	}
	b.WriteString("\n")
	if c.Confidence != nil {
		fmt.Fprintf(b, "\nProjected range %s to %s: %s\n", money(c, c.Confidence.Low), money(c, c.Confidence.High), reasons(c.Confidence.Reasons))
	}
	var changed bool
	for _, it := range c.Items {
		if it.Delta == 0 {
			continue
		}
		if !changed {
			b.WriteString("\n| Resource | Baseline | Projected | Delta |\n|---|---:|---:|---:|\n")
			changed = true
		}
		fmt.Fprintf(b, "| `%s` | %s | %s | %s |\n", it.Resource, money(c, it.Baseline), money(c, it.Projected), signed(c, it.Delta))
	}
	for i, n := range proposedNotes(c) {
		if i == 0 {
			b.WriteString("\n")
		}
		fmt.Fprintf(b, "_Note: %s_\n", n)
	}
}

func resourcesSummary(c *cost.DeltaReport) string {
	keys := make([]string, 0, len(c.Resources))
	for k := range c.Resources {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	parts := make([]string, len(keys))
	for i, k := range keys {
		parts[i] = k + " " + c.Resources[k]
	}
	return strings.Join(parts, ", ")
}

func money(c *cost.DeltaReport, m cost.Money) string { return explain.Money(m.Cents(), c.Currency) }

func signed(c *cost.DeltaReport, m cost.Money) string {
	if m.Cents() > 0 {
		return "+" + money(c, m)
	}
	return money(c, m)
}

// reasons shortens the confidence band's reasons: the first two and a count.
func reasons(rs []string) string {
	if len(rs) <= 2 {
		return strings.Join(rs, "; ")
	}
	return fmt.Sprintf("%s; and %d more", strings.Join(rs[:2], "; "), len(rs)-2)
}

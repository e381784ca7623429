package explain

import (
	"fmt"
	"strings"
)

// Deterministic states the size of the diff, the cost delta with its
// largest drivers and the new high-severity risks in plain sentences. The
// same facts always give the same text.
func Deterministic(f Facts) string {
	return strings.Join([]string{diffSentence(f), costSentence(f), riskSentence(f)}, " ")
}

func diffSentence(f Facts) string {
	a, r, m := len(f.Added), len(f.Removed), len(f.Modified)
	if a+r+m == 0 {
		return "The proposed set is identical to the current one."
	}
	var parts []string
	if a > 0 {
		parts = append(parts, "adds "+plural(a, "resource", "resources"))
	}
	if r > 0 {
		parts = append(parts, "removes "+plural(r, "resource", "resources"))
	}
	if m > 0 {
		parts = append(parts, fmt.Sprintf("modifies %s (%s)", plural(m, "resource", "resources"), plural(f.Changes, "field change", "field changes")))
	}
	return "This promotion " + joinAnd(parts) + "."
}

func costSentence(f Facts) string {
	d := f.DeltaCents()
	base, proj := Money(f.BaselineCents, f.Currency), Money(f.ProjectedCents, f.Currency)
	var s string
	switch {
	case d > 0:
		s = fmt.Sprintf("The estimated monthly cost rises by %s, from %s to %s", Money(d, f.Currency), base, proj)
	case d < 0:
		s = fmt.Sprintf("The estimated monthly cost falls by %s, from %s to %s", Money(-d, f.Currency), base, proj)
	default:
		return fmt.Sprintf("The estimated monthly cost stays at %s.", proj)
	}
	var ds []string
	for _, dr := range f.topDrivers() {
		ds = append(ds, fmt.Sprintf("%s (%s)", dr.Resource, signedMoney(dr.DeltaCents, f.Currency)))
	}
	if len(ds) > 0 {
		s += ", mostly from " + joinAnd(ds)
	}
	return s + "."
}

func riskSentence(f Facts) string {
	high := f.highRisks()
	level := f.RiskLevel
	if level == "" {
		level = "none"
	}
	if len(high) == 0 {
		return fmt.Sprintf("It introduces no new high-severity risk; the overall risk level is %s.", level)
	}
	var rs []string
	for _, r := range high {
		rs = append(rs, fmt.Sprintf("%s (%s, severity %g)", strings.TrimSuffix(r.Message, "."), r.Category, r.Severity))
	}
	n := countNewHigh(f)
	intro := plural(n, "new high-severity risk", "new high-severity risks")
	if n > len(high) {
		intro += fmt.Sprintf(", the %d most severe", len(high))
	}
	return fmt.Sprintf("It introduces %s: %s. The overall risk level is %s.", intro, strings.Join(rs, "; "), level)
}

func countNewHigh(f Facts) int {
	n := 0
	for _, r := range f.Risks {
		if r.Status == "new" && r.Severity >= 7 {
			n++
		}
	}
	return n
}

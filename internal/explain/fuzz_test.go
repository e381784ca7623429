package explain

import (
	"strings"
	"testing"
)

// FuzzCheck feeds arbitrary model answers to the grounding check and the
// placeholder restore: no answer may panic them, an accepted answer never
// keeps an unknown placeholder, and masking then restoring is lossless.
func FuzzCheck(f *testing.F) {
	for _, s := range []string{
		"Deployment/R1 adds $17.20 a month.",
		"R99 NS3 1,000.000 7.5% Deployment/R1.",
		"Service/api-gateway, 12 replicas",
		"",
		"\x00\xff R1R2 ,.,. 0.0.0",
	} {
		f.Add(s)
	}
	facts := Facts{Added: []string{"Deployment/api", "Service/api-gateway"}, Namespaces: []string{"prod"},
		BaselineCents: 12540, ProjectedCents: 14260, Risks: []Risk{{Status: "new", Severity: 7.5, Resource: "Deployment/api", Message: "api lowered"}}}
	m := newMasker(facts)
	masked := maskedFacts(facts, m)
	kinds := kindsOf(facts)
	f.Fuzz(func(t *testing.T, answer string) {
		why := check(answer, masked, m, kinds)
		if why == "" && m.unknownPlaceholder(answer) != "" {
			t.Fatalf("accepted an unknown placeholder: %q", answer)
		}
		if !strings.Contains(answer, "R") && !strings.Contains(answer, "NS") {
			if back := m.restore(m.mask(answer)); back != answer {
				t.Fatalf("mask/restore changed %q into %q", answer, back)
			}
		}
	})
}

package promotion

import (
	"fmt"
	"slices"
	"strings"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/cost"
)

// Gate names.
const (
	GateRisk = "maxRiskLevel"
	GateCost = "maxMonthlyCostDelta"
)

// gates lists the policy gates p trips: its risk level at or above
// maxRiskLevel, its monthly cost rising by more than maxMonthlyCostDelta.
func gates(pol capsule.ApprovalPolicy, p *capsule.Promotion) []string {
	var out []string
	if pol.MaxRiskLevel != "" {
		if slices.Index(capsule.RiskLevels, p.RiskLevel) >= slices.Index(capsule.RiskLevels, pol.MaxRiskLevel) {
			out = append(out, fmt.Sprintf("%s (risk %s reaches %s)", GateRisk, p.RiskLevel, pol.MaxRiskLevel))
		}
	}
	if limit, ok, err := pol.CostDeltaMicros(); err == nil && ok && p.CostDeltaMicros > limit {
		out = append(out, fmt.Sprintf("%s (monthly cost %s exceeds +%s)", GateCost, cost.Money(p.CostDeltaMicros).Signed(), cost.Money(limit)))
	}
	return out
}

func joinGates(g []string) string { return strings.Join(g, "; ") }

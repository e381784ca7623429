package billing

import (
	"os"
	"path/filepath"
	"testing"
)

// TestReconciliationAddsUp: on every fixture and generated set, each
// cluster's explanation sums exactly to its effective and billed costs,
// the clusters' figures to the file's totals, and the clusters' effective
// costs to the report's.
func TestReconciliationAddsUp(t *testing.T) {
	files, _ := filepath.Glob("testdata/*.csv")
	var sets [][]byte
	for _, f := range files {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		sets = append(sets, b)
	}
	g := anomalySet()
	sets = append(sets, g.focusCSV(), g.curGzip(), g.gcpJSON(), g.azureCSV())
	for i, data := range sets {
		rep := analyzeBytes(t, data, "")
		var billed, effective Amount
		for _, x := range rep.Reconciliation {
			want := x.List.Sub(x.SavingsPlans).Sub(x.Reservations).Sub(x.Discounts).
				Add(x.Credits).Add(x.Taxes).Add(x.Purchases).Add(x.Adjustments)
			if want.Cmp(x.Effective) != 0 || x.Effective.Add(x.Amortization).Cmp(x.Billed) != 0 {
				t.Fatalf("set %d, %s does not add up: %+v", i, x.Cluster, x)
			}
			if x.Cluster != Unattributed && rep.Clusters[x.Cluster].EffectiveCost.Cmp(x.Effective) != 0 {
				t.Fatalf("set %d, %s: %s != %s", i, x.Cluster, x.Effective, rep.Clusters[x.Cluster].EffectiveCost)
			}
			if x.Cluster == Unattributed && rep.Unattributed.Cmp(x.Effective) != 0 {
				t.Fatalf("set %d unattributed %s != %s", i, x.Effective, rep.Unattributed)
			}
			billed, effective = billed.Add(x.Billed), effective.Add(x.Effective)
		}
		if billed.Cmp(rep.BilledCostTotal) != 0 || effective.Cmp(rep.EffectiveCostTotal) != 0 {
			t.Fatalf("set %d: %s %s vs %s %s", i, billed, effective, rep.BilledCostTotal, rep.EffectiveCostTotal)
		}
		if len(rep.Reconciliation) != len(rep.Clusters)+btoi(rep.Reconciliation[len(rep.Reconciliation)-1].Cluster == Unattributed) {
			t.Fatalf("set %d: %d reconciliations for %d clusters", i, len(rep.Reconciliation), len(rep.Clusters))
		}
	}
}

func btoi(b bool) int {
	if b {
		return 1
	}
	return 0
}

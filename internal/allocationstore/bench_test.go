package allocationstore_test

import (
	"context"
	"fmt"
	"path/filepath"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/allocationstore"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// BenchmarkCostSummary30d is the summary of a 30-day window over a
// cluster of 200 nodes and 10,000 pods, each pod its own workload (the
// worst case: 300,000 daily rows), grouped by team on SQLite.
func BenchmarkCostSummary30d(b *testing.B) {
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(b.TempDir(), "capsule.db"), sqlstore.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer st.Close()
	s := allocationstore.New(st)
	const pods, nodes, days = 10_000, 200, 30
	today := time.Now().UTC().Truncate(24 * time.Hour)
	for d := 0; d < days; d++ {
		day := today.AddDate(0, 0, -d).Format("2006-01-02")
		rows := make([]allocation.Row, 0, pods+1)
		for p := 0; p < pods; p++ {
			rows = append(rows, allocation.Row{ClusterID: "c1", Day: day, Namespace: fmt.Sprint("ns-", p%200),
				Workload: fmt.Sprint("Pod/p-", p), Team: fmt.Sprint("team-", p%20), Project: fmt.Sprint("project-", p%50),
				Service: fmt.Sprint("svc-", p%1000), Environment: []string{"production", "staging"}[p%2],
				CPUCost: 1_000_000 + int64(p), MemoryCost: 500_000, UsageCost: 700_000, MeteredCost: 1_500_000})
		}
		rows = append(rows, allocation.Row{ClusterID: "c1", Day: day, Workload: allocation.Idle, CPUCost: int64(nodes) * 1_000_000})
		if err := s.Insert(ctx, "org-1", rows); err != nil {
			b.Fatal(err)
		}
	}
	w, err := allocation.ParseWindow("30d", today)
	if err != nil {
		b.Fatal(err)
	}
	from, to := w.Days()
	q := allocationstore.Query{OrganizationID: "org-1", From: from, To: to}
	b.ResetTimer()
	for b.Loop() {
		totals, err := s.Totals(ctx, q, "team")
		if err != nil {
			b.Fatal(err)
		}
		if sum := allocation.Summarize(totals, allocation.DefaultSharedRule(), w); len(sum.Groups) != 20 {
			b.Fatalf("%d groups", len(sum.Groups))
		}
	}
}

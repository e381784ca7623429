package allocationstore_test

import (
	"context"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/allocationstore"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/identitystore"
)

// TestBudgetAlertsOncePerMonth: a team budget of $100 with $150 spent
// today raises its 50% and 100% thresholds as breaches (and 200% as a
// forecast breach when the forecast reaches it), each audited and
// published once; the next check raises nothing.
func TestBudgetAlertsOncePerMonth(t *testing.T) {
	for _, d := range dialects {
		t.Run(d.name, func(t *testing.T) {
			ctx := context.Background()
			w := newWorld(t, d.dsn(t))
			now := time.Now().UTC()
			must(t, w.alloc.Insert(ctx, w.org.ID, []allocation.Row{{ClusterID: w.cluster.ID, Day: now.Format("2006-01-02"),
				Namespace: "shop-prod", Workload: "Deployment/api", Team: "payments", CPUCost: 150_000_000_000}}))
			b := &allocation.Budget{OrganizationID: w.org.ID, Scope: "team", Name: "payments", MonthlyAmount: "100", Thresholds: []int{50, 100}}
			must(t, w.alloc.CreateBudget(ctx, b))
			ids := identitystore.New(w.st)
			hub := events.NewHub(events.Options{})
			defer hub.Close()
			sub := hub.Subscribe(nil)
			alerts := &allocationstore.BudgetAlerts{Store: w.alloc, Publish: hub.Publish,
				Audit: func(ctx context.Context, e audit.Entry) context.Context {
					c, _ := ids.WithAuditUnit(ctx, e)
					return c
				}}
			n, err := alerts.Check(ctx, now)
			must(t, err)
			if n != 2 {
				t.Fatalf("raised %d alerts, want 2 (50%% and 100%% reached)", n)
			}
			if n, err := alerts.Check(ctx, now); err != nil || n != 0 {
				t.Fatalf("second check raised %d (%v)", n, err)
			}
			entries, err := ids.ListAudit(ctx, identitystore.AuditFilter{OrganizationID: w.org.ID, Action: "cost.budget_breach"})
			must(t, err)
			if len(entries) != 2 || entries[0].TargetID != b.ID {
				t.Fatalf("audit: %+v", entries)
			}
			wctx, cancel := context.WithTimeout(ctx, 5*time.Second)
			defer cancel()
			ev, err := sub.Next(wctx)
			must(t, err)
			if ev.Type != events.CostBudget || !strings.Contains(ev.Message, "team payments: 150.00 of 100 USD") {
				t.Fatalf("event %+v", ev)
			}
		})
	}
}

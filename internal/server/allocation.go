package server

import (
	"context"
	"fmt"
	"time"

	"github.com/usecapsule/capsule/internal/allocationstore"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/cost"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/inventorystore"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// Cost allocation: every CostSampleInterval (--cost-sample-interval,
// default 10m) the server turns each cluster's current picture into an
// allocation sample added to the day's rows (internal/allocationstore);
// slots are aligned to the interval and marked in the store, so with
// several replicas each slot is counted once. Prices are the shipped
// catalogue and the defaults.

func (o *Options) validateCostSampling() error {
	if o.CostSampleInterval < 0 {
		return fmt.Errorf("--cost-sample-interval %s must not be negative", o.CostSampleInterval)
	}
	if o.CostSampleInterval > 0 && o.CostSampleInterval < time.Second {
		return fmt.Errorf("--cost-sample-interval %s is below the minimum of 1s", o.CostSampleInterval)
	}
	return nil
}

// runCostSampler samples until ctx ends.
// After each sample the budgets are checked: a threshold reached or
// forecast is audited, queued as a cost.budget_breach webhook and
// published as a cost.budget event, once per month.
func (o *Options) runCostSampler(ctx context.Context, st *sqlstore.Store, ids *identitystore.Store, hub *events.Hub) {
	as := allocationstore.New(st)
	s := &allocationstore.Sampler{Store: as, Pictures: inventorystore.New(st),
		Pricing: cost.DefaultPricing(), Interval: o.CostSampleInterval, Logf: o.Logger.Warn,
		Budgets: &allocationstore.BudgetAlerts{Store: as, Publish: hub.Publish,
			Audit: func(ctx context.Context, e audit.Entry) context.Context {
				c, _ := ids.WithAuditUnit(ctx, e)
				return c
			}}}
	s.Run(ctx)
}

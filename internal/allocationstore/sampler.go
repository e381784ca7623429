package allocationstore

import (
	"context"
	"time"

	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/cost"
)

// DefaultInterval is how often each cluster's picture is sampled.
const DefaultInterval = 10 * time.Minute

// Pictures reads a cluster's objects of one kind (inventorystore.Store).
type Pictures interface {
	Objects(ctx context.Context, clusterID, kind, namespace string) ([]agentproto.Object, error)
}

// Sampler turns every cluster's current picture into an allocation sample
// once per Interval. Slots are aligned to the interval (Unix time), so
// replicas agree on them and the store counts each once.
type Sampler struct {
	Store    *Store
	Pictures Pictures
	Pricing  cost.Pricing
	Interval time.Duration
	// Budgets, when set, is checked after every sample.
	Budgets *BudgetAlerts
	Logf    func(msg string, args ...any)
}

func (s *Sampler) interval() time.Duration {
	if s.Interval <= 0 {
		return DefaultInterval
	}
	return s.Interval
}

// SampleAll samples every cluster with a picture for the slot that holds
// now and returns how many samples were recorded (0 for a slot another
// replica took).
func (s *Sampler) SampleAll(ctx context.Context, now time.Time) (int, error) {
	iv := s.interval()
	slot := now.UTC().Truncate(iv)
	clusters, err := s.Store.Clusters(ctx)
	if err != nil {
		return 0, err
	}
	pricer := cost.NewNodePricer(s.Pricing)
	n := 0
	for _, c := range clusters {
		var objs []agentproto.Object
		for _, kind := range []string{"Node", "Pod", "PodMetrics"} {
			o, err := s.Pictures.Objects(ctx, c.ID, kind, "")
			if err != nil {
				return n, err
			}
			objs = append(objs, o...)
		}
		smp := allocation.Take(c.ID, objs, pricer, slot, iv)
		taken, err := s.Store.Record(ctx, c, slot, smp)
		if err != nil {
			return n, err
		}
		if taken {
			n++
		}
	}
	return n, nil
}

// Run samples at every interval and prunes past the retention daily,
// until ctx ends.
func (s *Sampler) Run(ctx context.Context) {
	t := time.NewTicker(s.interval())
	defer t.Stop()
	lastPrune := time.Time{}
	for {
		now := time.Now()
		if _, err := s.SampleAll(ctx, now); err != nil && ctx.Err() == nil && s.Logf != nil {
			s.Logf("cost allocation sample failed", "err", err)
		}
		if s.Budgets != nil {
			if _, err := s.Budgets.Check(ctx, now); err != nil && ctx.Err() == nil && s.Logf != nil {
				s.Logf("budget check failed", "err", err)
			}
		}
		if now.Sub(lastPrune) > 24*time.Hour {
			if err := s.Store.Prune(ctx, now.Add(-Retention)); err == nil {
				lastPrune = now
			}
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

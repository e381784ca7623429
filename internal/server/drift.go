package server

import (
	"context"
	"fmt"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/drift"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// Drift monitoring: every DriftInterval (--drift-interval, default 5m) the
// server checks the drift of every environment with a cluster whose agent
// reported, stores the last result (shown on GET /environments/{id}),
// and on a change of state writes a system audit entry with it and
// publishes an environment.drift event. Each environment's check holds a
// lease in the store, so with several replicas each environment is
// checked once per interval; the runner's owner name is the lease owner.

func (o *Options) validateDrift() error {
	if o.DriftInterval < 0 {
		return fmt.Errorf("--drift-interval %s must not be negative", o.DriftInterval)
	}
	if o.DriftInterval > 0 && o.DriftInterval < time.Second {
		return fmt.Errorf("--drift-interval %s is below the minimum of 1s", o.DriftInterval)
	}
	return nil
}

// driftMonitor returns the monitor over the API's environment states, nil
// when the API has none.
func (o *Options) driftMonitor(api *httpapi.API, st *sqlstore.Store, ids *identitystore.Store, hub *events.Hub, owner string) *drift.Monitor {
	rd := api.EnvState()
	if rd == nil {
		return nil
	}
	return &drift.Monitor{Checker: &drift.Checker{Reader: rd}, Store: st, Events: hub, Owner: owner, Interval: o.DriftInterval,
		Audit: func(ctx context.Context, e audit.Entry) context.Context {
			c, _ := ids.WithAuditUnit(ctx, e)
			return c
		},
		Logf: o.Logger.Warn}
}

package drift

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strconv"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// DefaultInterval is how often the monitor checks each environment.
const DefaultInterval = 5 * time.Minute

// MonitorStore is what the monitor needs from the store (*sqlstore.Store).
type MonitorStore interface {
	ListEnvironments(ctx context.Context, f capsule.EnvironmentFilter) (capsule.List[capsule.Environment], error)
	FindProject(ctx context.Context, id string) (*capsule.Project, error)
	ClaimDriftCheck(ctx context.Context, envID, owner string, now time.Time, every, lease time.Duration) (*sqlstore.DriftClaim, error)
	SaveDriftCheck(ctx context.Context, token int64, rec sqlstore.DriftRecord) error
	ReleaseDriftCheck(ctx context.Context, envID string, token int64) error
}

// Publisher sends live events (*events.Hub).
type Publisher interface {
	Publish(ctx context.Context, e events.Event) error
}

// Monitor checks the drift of every environment with a cluster every
// Interval and keeps the last result. Design decisions:
//   - Exactly once across replicas: each environment's check holds a lease
//     in the store (ClaimDriftCheck, with a fencing token), so replicas
//     share the environments and a holder whose lease was taken over
//     writes nothing, publishes nothing and audits nothing.
//   - An environment whose live state is unknown (no agent reported its
//     cluster yet) keeps its previous result; the check is tried again at
//     the next tick.
//   - A change of state (first check that finds drift, in sync → drifted,
//     drifted → in sync) is an audit entry of the system actor
//     ("environment.drifted" or "environment.in_sync"), committed with the
//     stored result, and then an environment.drift event. A check that
//     finds what the last one found only updates the stored result.
type Monitor struct {
	Checker *Checker
	Store   MonitorStore
	Events  Publisher // nil: no events
	// Audit returns ctx carrying an audit unit for e (nil: no audit).
	Audit    func(ctx context.Context, e audit.Entry) context.Context
	Owner    string
	Interval time.Duration // DefaultInterval when 0
	// Lease bounds one environment's check (default: the interval).
	Lease time.Duration
	Now   func() time.Time
	Logf  func(msg string, args ...any)
}

func (m *Monitor) now() time.Time {
	if m.Now != nil {
		return m.Now()
	}
	return time.Now()
}

func (m *Monitor) interval() time.Duration {
	if m.Interval > 0 {
		return m.Interval
	}
	return DefaultInterval
}

func (m *Monitor) logf(msg string, args ...any) {
	if m.Logf != nil {
		m.Logf(msg, args...)
	}
}

// Run checks at once and then every interval until ctx ends.
func (m *Monitor) Run(ctx context.Context) {
	t := time.NewTicker(m.interval())
	defer t.Stop()
	for {
		if _, err := m.Sweep(ctx); err != nil && ctx.Err() == nil {
			m.logf("drift: check failed; retrying at the next tick", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// Sweep checks every environment that is due and that no other replica
// is checking, and returns how many it stored a result for.
func (m *Monitor) Sweep(ctx context.Context) (int, error) {
	f := capsule.EnvironmentFilter{Page: capsule.Page{Limit: capsule.MaxPageSize}}
	n := 0
	var errs []error
	for {
		l, err := m.Store.ListEnvironments(ctx, f)
		if err != nil {
			return n, err
		}
		for i := range l.Items {
			env := &l.Items[i]
			if env.ClusterID == "" {
				continue
			}
			stored, err := m.checkOne(ctx, env)
			if err != nil {
				errs = append(errs, fmt.Errorf("environment %s: %w", env.ID, err))
			}
			if stored {
				n++
			}
		}
		if l.NextCursor == "" {
			return n, errors.Join(errs...)
		}
		f.Cursor = l.NextCursor
	}
}

// checkOne checks env under its lease and stores the result.
func (m *Monitor) checkOne(ctx context.Context, env *capsule.Environment) (bool, error) {
	every := m.interval()
	lease := m.Lease
	if lease <= 0 {
		lease = every
	}
	// A tenth of the interval of slack: the check that stored the last
	// result ran a moment after its tick, and must not make the next tick
	// skip the environment.
	c, err := m.Store.ClaimDriftCheck(ctx, env.ID, m.Owner, m.now(), every-every/10, lease)
	if err != nil || c == nil {
		return false, err
	}
	res, err := m.Checker.Check(ctx, env)
	if err != nil {
		rerr := m.Store.ReleaseDriftCheck(ctx, env.ID, c.Token)
		if capsule.ErrorKind(err) == capsule.KindConflict {
			return false, nil // nothing live to compare yet: not a failure
		}
		return false, errors.Join(err, rerr)
	}
	summary, err := json.Marshal(res.Objects)
	if err != nil {
		return false, err
	}
	changed := (c.Previous == nil && !res.InSync) || (c.Previous != nil && c.Previous.InSync != res.InSync)
	var org, project string
	if p, err := m.Store.FindProject(ctx, env.ProjectID); err == nil {
		org, project = p.OrganizationID, p.ID
	}
	wctx := ctx
	if changed && m.Audit != nil {
		e := audit.Entry{ActorType: audit.ActorSystem, Action: action(res.InSync), TargetType: "environment", TargetID: env.ID,
			OrganizationID: org, Outcome: audit.OutcomeSuccess,
			After: map[string]string{"inSync": strconv.FormatBool(res.InSync), "objects": strconv.Itoa(len(res.Objects)), "checkedAt": res.CheckedAt.Format(time.RFC3339)}}
		if c.Previous != nil {
			e.Before = map[string]string{"inSync": strconv.FormatBool(c.Previous.InSync), "checkedAt": c.Previous.CheckedAt.Format(time.RFC3339)}
		}
		wctx = m.Audit(ctx, e)
	}
	rec := sqlstore.DriftRecord{EnvironmentID: env.ID, CheckedAt: res.CheckedAt, InSync: res.InSync, Summary: summary}
	if err := m.Store.SaveDriftCheck(wctx, c.Token, rec); err != nil {
		if errors.Is(err, jobs.ErrLeaseLost) {
			return false, nil // another replica holds the check now and reports it
		}
		return false, err
	}
	if changed && m.Events != nil {
		msg := fmt.Sprintf("environment %s drifted: %d object(s) differ from what Capsule deployed", env.Name, len(res.Objects))
		if res.InSync {
			msg = fmt.Sprintf("environment %s is back in sync with what Capsule deployed", env.Name)
		}
		ev := events.Event{Type: events.EnvironmentDrift, Scope: events.Scope{OrganizationID: org, ProjectID: project, EnvironmentID: env.ID}, Message: msg}
		if err := m.Events.Publish(ctx, ev); err != nil {
			m.logf("drift: publishing the environment.drift event failed", "environment", env.ID, "error", err.Error())
		}
	}
	return true, nil
}

// action is the audit action of a state change into inSync.
func action(inSync bool) string {
	if inSync {
		return "environment.in_sync"
	}
	return "environment.drifted"
}

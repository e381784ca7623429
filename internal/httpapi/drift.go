package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/drift"
	"github.com/usecapsule/capsule/internal/envdiff"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// defaultEnvState builds the environment state reader over the store and
// the inventory when the store keeps deployment runs (the SQL store does);
// it must see the store before the read cache wraps it.
func defaultEnvState(cfg Config) *envstate.Reader {
	st, ok := cfg.Store.(envstate.Store)
	if !ok || cfg.Inventory == nil {
		return nil
	}
	return &envstate.Reader{Store: st, Inventory: cfg.Inventory.Store()}
}

// EnvState returns the reader of environments' live and desired states,
// nil when the store keeps no deployment records.
func (a *API) EnvState() *envstate.Reader { return a.cfg.EnvState }

func (a *API) envState() (*envstate.Reader, error) {
	if a.cfg.EnvState == nil {
		return nil, capsule.Errorf(capsule.KindNotImplemented, capsule.CodeNotImplemented, "this server keeps no deployment records to compare with")
	}
	return a.cfg.EnvState, nil
}

// environmentDrift compares what runs in the environment with what Capsule
// deployed there, now.
func (a *API) environmentDrift(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.envState()
	if err != nil {
		return err
	}
	env, err := findEnvironment(r.Context(), a.cfg.Store, r.PathValue("id"))
	if err != nil {
		return err
	}
	res, err := (&drift.Checker{Reader: rd, Now: a.now}).Check(r.Context(), env)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// projectDiff compares two environments' desired states.
func (a *API) projectDiff(w http.ResponseWriter, r *http.Request) error {
	rd, err := a.envState()
	if err != nil {
		return err
	}
	p, err := findProject(r.Context(), a.cfg.Store, r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var v capsule.Validation
	for _, name := range []string{"from", "to"} {
		if strings.TrimSpace(q.Get(name)) == "" {
			v.Add(name, "is required: the name or id of an environment of project %s", p.Slug)
		}
	}
	if err := v.Err(); err != nil {
		return err
	}
	from, err := projectEnvironment(r, a.cfg.Store, p, q.Get("from"))
	if err != nil {
		return err
	}
	to, err := projectEnvironment(r, a.cfg.Store, p, q.Get("to"))
	if err != nil {
		return err
	}
	var svc *capsule.Service
	if name := q.Get("service"); name != "" {
		if svc, err = projectService(r, a.cfg.Store, p, name); err != nil {
			return err
		}
	}
	sa, err := rd.Desired(r.Context(), from, svc)
	if err != nil {
		return err
	}
	sb, err := rd.Desired(r.Context(), to, svc)
	if err != nil {
		return err
	}
	res, err := envdiff.Compare(from, to, sa, sb)
	if err != nil {
		return &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeDriftNotChecked, Message: err.Error()}
	}
	writeJSON(w, http.StatusOK, res)
	return nil
}

// projectEnvironment finds an environment of p by name or id.
func projectEnvironment(r *http.Request, st capsule.Store, p *capsule.Project, ref string) (*capsule.Environment, error) {
	envs, err := capsule.ProjectEnvironments(r.Context(), st, p.ID)
	if err != nil {
		return nil, err
	}
	for i := range envs {
		if e := envs[i]; e.Name == ref || e.ID == ref {
			return &e, nil
		}
	}
	return nil, capsule.NotFound("environment", ref)
}

// projectService finds a service of p by name or id.
func projectService(r *http.Request, st capsule.Store, p *capsule.Project, ref string) (*capsule.Service, error) {
	svcs, err := capsule.ProjectServices(r.Context(), st, p.ID)
	if err != nil {
		return nil, err
	}
	for i := range svcs {
		if s := svcs[i]; s.Name == ref || s.ID == ref {
			return &s, nil
		}
	}
	return nil, capsule.NotFound("service", ref)
}

// EnvironmentView is an environment with its last periodic drift check.
type EnvironmentView struct {
	capsule.Environment
	Drift *DriftStatus `json:"drift,omitempty"`
}

// DriftStatus is the result of an environment's last periodic drift check.
type DriftStatus struct {
	InSync    bool           `json:"inSync"`
	CheckedAt time.Time      `json:"checkedAt"`
	Objects   []drift.Object `json:"objects"`
}

// driftChecks reads stored drift checks (*sqlstore.Store).
type driftChecks interface {
	FindDriftCheck(ctx context.Context, envID string) (*sqlstore.DriftRecord, error)
}

// lastDrift is the environment's last drift check, nil before the first.
func lastDrift(ctx context.Context, drifts driftChecks, envID string) (*DriftStatus, error) {
	if drifts == nil {
		return nil, nil
	}
	rec, err := drifts.FindDriftCheck(ctx, envID)
	if err != nil || rec == nil {
		return nil, err
	}
	st := &DriftStatus{InSync: rec.InSync, CheckedAt: rec.CheckedAt, Objects: []drift.Object{}}
	if len(rec.Summary) > 0 {
		if err := json.Unmarshal(rec.Summary, &st.Objects); err != nil {
			return nil, err
		}
	}
	return st, nil
}

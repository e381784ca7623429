package drift

import (
	"context"
	"fmt"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/envstate"
)

// Checker computes an environment's drift from its states.
type Checker struct {
	Reader *envstate.Reader
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Check compares what runs in env (every service of its project) with
// what was deployed there. An environment without a cluster, or whose
// cluster no agent has reported yet, has no drift to tell: a conflict
// error says which.
func (c *Checker) Check(ctx context.Context, env *capsule.Environment) (*Result, error) {
	if env.ClusterID == "" {
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeEnvironmentNoCluster,
			Message: fmt.Sprintf("environment %s names no cluster, so nothing runs there to drift", env.Name),
			Details: map[string]any{"environmentId": env.ID}}
	}
	live, err := c.Reader.Live(ctx, env, nil)
	if err != nil {
		return nil, err
	}
	if live.Source == envstate.SourceNone {
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeLiveStateUnavailable,
			Message: fmt.Sprintf("no agent has reported cluster %s yet, so what runs in environment %s is unknown: install the agent (capsule clusters join-token)", env.ClusterID, env.Name),
			Details: map[string]any{"environmentId": env.ID, "clusterId": env.ClusterID}}
	}
	desired, err := c.Reader.Desired(ctx, env, nil)
	if err != nil {
		return nil, err
	}
	now := time.Now
	if c.Now != nil {
		now = c.Now
	}
	res, err := Compare(env.ID, desired, live, now())
	if err != nil {
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeDriftNotChecked, Message: err.Error(),
			Details: map[string]any{"environmentId": env.ID}}
	}
	return res, nil
}

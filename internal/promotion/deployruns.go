package promotion

import (
	"context"
	"encoding/json"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// DeployRuns reads releases and the current state of an environment from
// the deployer's records: the objects its newest successful release
// applied. It stands in until the environment state from the cluster
// agent's picture is wired.
type DeployRuns struct{ Store RunStore }

// RunStore is the deployer's record of what each deployment applied
// (sqlstore.Store).
type RunStore interface {
	Releases(ctx context.Context, serviceID, environmentID string) ([]sqlstore.Release, error)
	FindDeployRun(ctx context.Context, id string) (*sqlstore.DeployRun, error)
}

var (
	_ CurrentState = DeployRuns{}
	_ Releases     = DeployRuns{}
)

func (d DeployRuns) last(ctx context.Context, svc *capsule.Service, env *capsule.Environment) (*sqlstore.DeployRun, error) {
	rels, err := d.Store.Releases(ctx, svc.ID, env.ID)
	if err != nil || len(rels) == 0 {
		return nil, err
	}
	return d.Store.FindDeployRun(ctx, rels[0].DeploymentID)
}

// LastRelease implements Releases.
func (d DeployRuns) LastRelease(ctx context.Context, svc *capsule.Service, env *capsule.Environment) (*Release, error) {
	run, err := d.last(ctx, svc, env)
	if err != nil || run == nil {
		return nil, err
	}
	return &Release{DeploymentID: run.DeploymentID, ConfigRevision: run.ConfigRevision, Image: run.Image,
		Strategy: run.Strategy, Replicas: run.Replicas}, nil
}

// CurrentState implements CurrentState.
func (d DeployRuns) CurrentState(ctx context.Context, env *capsule.Environment, svc *capsule.Service) ([]manifest.Object, string, error) {
	run, err := d.last(ctx, svc, env)
	if err != nil {
		return nil, "", err
	}
	if run == nil {
		return nil, "none", nil
	}
	var raw []map[string]any
	if err := json.Unmarshal(run.Objects, &raw); err != nil {
		return nil, "", fmt.Errorf("objects of deployment %s: %w", run.DeploymentID, err)
	}
	objs := make([]manifest.Object, len(raw))
	for i, m := range raw {
		objs[i] = manifest.Object{Unstructured: &unstructured.Unstructured{Object: m}, File: "target", Doc: i}
	}
	return objs, "deploy run " + run.DeploymentID, nil
}

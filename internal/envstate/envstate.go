// Package envstate answers "what runs in this environment, and what should":
// the live state (the read-only agent's picture of the environment's
// namespace) and the desired state (the objects the last successful
// deployment applied) of one service or of every service of an
// environment, as manifest objects that internal/diff compares.
//
// Design decisions:
//   - Objects are []manifest.Object, the type diff.Compute consumes; File
//     says where each came from ("agent:<cluster>" or
//     "deployment:<id>"), so diff errors point at a source.
//   - Live keeps only what Capsule manages for the services asked about:
//     objects labelled app.kubernetes.io/managed-by=capsule whose
//     capsule.dev/service label names one of them, plus the environment's
//     Namespace when Capsule manages it (every rendered set starts with
//     it). The release record (capsule.dev/release-of) and the pods and
//     ReplicaSets controllers make carry no service label and stay out.
//   - Live is available once a non-revoked agent of the environment's
//     cluster has committed a full snapshot (its session is set); before
//     that, or without a cluster, the source is none. An agent that went
//     offline still answers with the last picture it sent; ObservedAt is
//     its last heartbeat, so a caller can judge how old it is. Kinds lists
//     what the agent mirrors (agent.WatchedKinds): an applied object of
//     another kind (a ServiceAccount) can be neither missing nor changed.
//   - Desired is the kept objects of the newest deployment that rolled out
//     (status running, objects kept), with what the deploy engine adds on
//     apply (namespace, owner labels, revision annotation), so it is what
//     was applied, not what was rendered. A later successful scale changes
//     the workload's replicas, as the engine's scale does.
//   - For a whole environment, Revision and DeploymentID are empty and
//     Parts names each service's deployment; the Namespace that every
//     service's set carries is kept once.
//   - Git as a desired source is a seam only: Reader.Git, when set and
//     when it has objects for the environment, takes precedence over the
//     deployment record.
package envstate

import (
	"context"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// Source says where a State came from.
type Source string

// The sources of a state.
const (
	SourceAgent      Source = "agent"
	SourceDeployment Source = "deployment"
	SourceGit        Source = "git"
	SourceNone       Source = "none"
)

// State is the live or desired state of an environment, or of one service
// in it.
type State struct {
	Objects []manifest.Object
	Source  Source
	// Revision and DeploymentID are the deployment's, for one service's
	// desired state from a deployment; empty otherwise.
	Revision     int
	DeploymentID string
	// Parts names each service's deployment in a desired state.
	Parts []Part
	// Kinds are the kinds a live state can hold at all (the agent's
	// watched kinds); nil means any kind.
	Kinds []string
	// ObservedAt is when the state was true: the agent's last heartbeat,
	// or when the deployment completed. Zero for none.
	ObservedAt time.Time
}

// Part is one service's share of a desired state.
type Part struct {
	ServiceID    string `json:"serviceId"`
	Service      string `json:"service"`
	Revision     int    `json:"revision"`
	DeploymentID string `json:"deploymentId"`
}

// Store is what the reader needs from the control plane's store
// (*sqlstore.Store).
type Store interface {
	ListServices(ctx context.Context, f capsule.ServiceFilter) (capsule.List[capsule.Service], error)
	ListDeployments(ctx context.Context, f capsule.DeploymentFilter) (capsule.List[capsule.Deployment], error)
	FindDeployment(ctx context.Context, id string) (*capsule.Deployment, error)
	FindDeployRun(ctx context.Context, id string) (*sqlstore.DeployRun, error)
	Releases(ctx context.Context, serviceID, environmentID string) ([]sqlstore.Release, error)
}

// Inventory is what the reader needs from the agents' pictures
// (*inventorystore.Store, or the inventory.Store of the server).
type Inventory interface {
	ListAgents(ctx context.Context, clusterID string) ([]inventory.Agent, error)
	Objects(ctx context.Context, clusterID, kind, namespace string) ([]agentproto.Object, error)
}

// GitSource reads an environment's desired objects from its Git path.
// Desired returns ok false when the environment has no Git path, and the
// reader then falls back to the deployment record.
type GitSource interface {
	Desired(ctx context.Context, env *capsule.Environment, svc *capsule.Service) (st State, ok bool, err error)
}

// Reader reads environment states.
type Reader struct {
	Store     Store
	Inventory Inventory
	// Git is optional: nil means deployments are the only desired source.
	Git GitSource
}

// Current is the live state when an agent reported the cluster, else the
// desired state, else a state with source none.
func (r *Reader) Current(ctx context.Context, env *capsule.Environment, svc *capsule.Service) (State, error) {
	st, err := r.Live(ctx, env, svc)
	if err != nil || st.Source != SourceNone {
		return st, err
	}
	return r.Desired(ctx, env, svc)
}

// services is svc alone, or every service of env's project.
func (r *Reader) services(ctx context.Context, env *capsule.Environment, svc *capsule.Service) ([]capsule.Service, error) {
	if svc != nil {
		return []capsule.Service{*svc}, nil
	}
	return capsule.ProjectServices(ctx, r.Store, env.ProjectID)
}

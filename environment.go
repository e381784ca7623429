package capsule

import (
	"context"
	"time"
)

// Environment kinds.
const (
	EnvDevelopment = "development"
	EnvStaging     = "staging"
	EnvProduction  = "production"
	EnvPreview     = "preview"
)

// Delivery modes: how approved changes reach the cluster.
const (
	DeliveryDirect = "direct" // Capsule applies with a configured write credential
	DeliveryGitOps = "gitops" // Capsule commits to Git; Argo CD or Flux applies
)

// Environment is a deployment target of a project: a namespace on a cluster.
type Environment struct {
	ID             string         `json:"id"`
	ProjectID      string         `json:"projectId"`
	Name           string         `json:"name"`
	Kind           string         `json:"kind"`
	ClusterID      string         `json:"clusterId,omitempty"`
	Namespace      string         `json:"namespace"`
	DeliveryMode   string         `json:"deliveryMode"`
	ApprovalPolicy ApprovalPolicy `json:"approvalPolicy"`
	// Git events: the branch a push to which deploys the project here, and
	// what a pull-request environment was made from.
	Branch    string              `json:"branch,omitempty"`
	Preview   *PullRequestPreview `json:"preview,omitempty"`
	Version   int64               `json:"version"`
	CreatedAt time.Time           `json:"createdAt"`
	UpdatedAt time.Time           `json:"updatedAt"`
}

// ApprovalPolicy says who must approve a promotion into the environment. It
// is a placeholder until the promotion workflow exists.
type ApprovalPolicy struct {
	RequiredApprovals int      `json:"requiredApprovals"`
	ApproverRoles     []string `json:"approverRoles,omitempty"`
}

// Validate checks the environment's fields and fills defaults: the namespace
// defaults to the environment name, the delivery mode to direct.
func (e *Environment) Validate() error {
	var v Validation
	if e.ProjectID == "" {
		v.Add("projectId", "is required")
	}
	v.checkDNSLabel("name", e.Name)
	v.checkOneOf("kind", e.Kind, EnvDevelopment, EnvStaging, EnvProduction, EnvPreview)
	if e.Namespace == "" {
		e.Namespace = e.Name
	}
	v.checkDNSLabel("namespace", e.Namespace)
	if len(e.ClusterID) > 64 {
		// The store checks that the cluster exists in the project's
		// organization; this only keeps a junk reference out of messages.
		v.Add("clusterId", "%q is not a cluster ID", clipText(e.ClusterID, 80))
	}
	if e.DeliveryMode == "" {
		e.DeliveryMode = DeliveryDirect
	}
	v.checkOneOf("deliveryMode", e.DeliveryMode, DeliveryDirect, DeliveryGitOps)
	if e.ApprovalPolicy.RequiredApprovals < 0 {
		v.Add("approvalPolicy.requiredApprovals", "must not be negative")
	}
	e.validateGit(&v)
	return v.Err()
}

// EnvironmentFilter selects environments.
type EnvironmentFilter struct {
	ProjectID       string
	OrganizationIDs []string // when not nil, only environments of these organizations
	Kind            string
	Page
}

// EnvironmentStore persists environments.
type EnvironmentStore interface {
	FindEnvironment(ctx context.Context, id string) (*Environment, error)
	ListEnvironments(ctx context.Context, f EnvironmentFilter) (List[Environment], error)
	CreateEnvironment(ctx context.Context, e *Environment) error
	UpdateEnvironment(ctx context.Context, e *Environment) error
	DeleteEnvironment(ctx context.Context, id string) error
}

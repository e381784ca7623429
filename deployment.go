package capsule

import (
	"context"
	"time"
)

// Deployment statuses.
const (
	DeploymentPending    = "pending"
	DeploymentBuilding   = "building"
	DeploymentDeploying  = "deploying"
	DeploymentRunning    = "running"
	DeploymentFailed     = "failed"
	DeploymentCancelled  = "cancelled"
	DeploymentRolledBack = "rolled_back"
)

// DeploymentStatuses lists every deployment status.
var DeploymentStatuses = []string{DeploymentPending, DeploymentBuilding, DeploymentDeploying,
	DeploymentRunning, DeploymentFailed, DeploymentCancelled, DeploymentRolledBack}

// Deployment records one rollout of a service revision to an environment.
type Deployment struct {
	ID            string     `json:"id"`
	ServiceID     string     `json:"serviceId"`
	EnvironmentID string     `json:"environmentId"`
	Revision      int        `json:"revision"`
	Version       string     `json:"version"` // image tag or release label
	Commit        Commit     `json:"commit"`
	Status        string     `json:"status"`
	Replicas      Replicas   `json:"replicas"`
	Message       string     `json:"message,omitempty"`
	CreatedAt     time.Time  `json:"createdAt"`
	CompletedAt   *time.Time `json:"completedAt,omitempty"`
}

// Commit is the source commit a deployment was built from.
type Commit struct {
	SHA     string `json:"sha,omitempty"`
	Message string `json:"message,omitempty"`
	Author  string `json:"author,omitempty"`
}

// Replicas are the desired and observed replica counts.
type Replicas struct {
	Desired int `json:"desired"`
	Running int `json:"running"`
	Ready   int `json:"ready"`
}

// Validate checks the deployment's fields and fills defaults.
func (d *Deployment) Validate() error {
	var v Validation
	if d.ServiceID == "" {
		v.Add("serviceId", "is required")
	}
	if d.EnvironmentID == "" {
		v.Add("environmentId", "is required")
	}
	if d.Version == "" {
		v.Add("version", "is required")
	}
	if d.Status == "" {
		d.Status = DeploymentPending
	}
	v.checkOneOf("status", d.Status, DeploymentStatuses...)
	return v.Err()
}

// DeploymentFilter selects deployments, newest first.
type DeploymentFilter struct {
	ServiceID       string
	EnvironmentID   string
	ProjectID       string
	OrganizationIDs []string // when not nil, only deployments of these organizations
	Status          string
	Page
}

// DeploymentStore persists deployment records.
type DeploymentStore interface {
	FindDeployment(ctx context.Context, id string) (*Deployment, error)
	ListDeployments(ctx context.Context, f DeploymentFilter) (List[Deployment], error)
	CreateDeployment(ctx context.Context, d *Deployment) error
	// UpdateDeploymentStatus moves a deployment to status, sets CompletedAt
	// for terminal statuses, and returns the updated record.
	UpdateDeploymentStatus(ctx context.Context, id, status, message string) (*Deployment, error)
}

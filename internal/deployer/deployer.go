package deployer

import (
	"context"
	"net/netip"
	"sync/atomic"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/kube"
	"github.com/usecapsule/capsule/internal/secretbox"
	"github.com/usecapsule/capsule/internal/sqlstore"
	"k8s.io/client-go/rest"
)

// JobKind is the kind of the jobs this package runs.
const JobKind = "deploy"

// Actions of a run.
const (
	ActionDeploy   = "deploy"
	ActionRollback = "rollback"
	ActionScale    = "scale"
)

// Config is what a Deployer needs.
type Config struct {
	Store   *sqlstore.Store
	Secrets kube.SecretReader
	Keyring *secretbox.Keyring
	// Allow is the installation's --egress-allow: cluster servers at
	// private addresses it names may be reached.
	Allow []netip.Prefix
	// Events receives deployment.* events; nil publishes none.
	Events *events.Hub
	// ProgressDeadline bounds a rollout without a new Ready pod; zero is
	// the engine's default (10 minutes).
	ProgressDeadline time.Duration
	// OnApply, when set, is called once a job starts applying (after the
	// record says deploying): the benchmark's mark.
	OnApply func(deploymentID string)
}

// Deployer starts deployments and runs their jobs.
type Deployer struct {
	cfg     Config
	wake    func()
	changed atomic.Pointer[func()]
}

// OnChange registers f to be called after every write of a deployment
// record (the API's read cache drops what it read before; the job
// handler's writes do not go through the API's store).
func (d *Deployer) OnChange(f func()) { d.changed.Store(&f) }

func (d *Deployer) notify() {
	if f := d.changed.Load(); f != nil {
		(*f)()
	}
}

// Store returns the store the Deployer records deployments in.
func (d *Deployer) Store() *sqlstore.Store { return d.cfg.Store }

// New returns a Deployer; Attach registers it on a runner.
func New(cfg Config) *Deployer { return &Deployer{cfg: cfg, wake: func() {}} }

// Attach registers the deploy job handler on r and lets new deployments
// wake it at once instead of at its next poll.
func (d *Deployer) Attach(r *jobs.Runner) {
	r.Handle(JobKind, d.Handle)
	d.wake = r.Wake
}

// DeployRequest is the body of POST /api/v1/services/{id}/deploy.
type DeployRequest struct {
	EnvironmentID string `json:"environmentId"`
	// Image is the image reference to run; default the service's source
	// image.
	Image string `json:"image,omitempty"`
	// Strategy is rolling, recreate, blue-green or canary; default the
	// service's configured one.
	Strategy string `json:"strategy,omitempty"`
	// Replicas overrides the service's minimum replica count.
	Replicas *int `json:"replicas,omitempty"`
	// Commit is the source commit the image was built from, recorded on
	// the deployment (a push webhook gives it).
	Commit *capsule.Commit `json:"commit,omitempty"`
}

// RollbackRequest is the body of POST /api/v1/services/{id}/rollback.
type RollbackRequest struct {
	EnvironmentID string `json:"environmentId"`
	// Revision is the release to put back; default the newest successful
	// one before the release running now.
	Revision int `json:"revision,omitempty"`
}

// ScaleRequest is the body of POST /api/v1/services/{id}/scale.
type ScaleRequest struct {
	EnvironmentID string `json:"environmentId"`
	Replicas      *int   `json:"replicas"`
}

// Accepted is the answer to a deploy, rollback or scale: the deployment
// record, and whether it waits behind another deployment of the service
// in the environment.
type Accepted struct {
	capsule.Deployment
	Queued       bool   `json:"queued"`
	QueuedBehind string `json:"queuedBehind,omitempty"`
}

func jobKey(serviceID, envID string) string { return "service:" + serviceID + "/env:" + envID }

// target is what every action needs: the service's environment, its
// cluster and its project.
type target struct {
	env     *capsule.Environment
	cluster *capsule.Cluster
	project *capsule.Project
}

// restConfig opens the cluster's sealed credential.
func (d *Deployer) restConfig(ctx context.Context, c *capsule.Cluster) (*rest.Config, error) {
	return kube.StoredRESTConfig(ctx, d.cfg.Secrets, d.cfg.Keyring, c.CredentialSecretID, d.cfg.Allow...)
}

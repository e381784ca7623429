package promotion

import (
	"context"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deployer"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/preview"
)

// Store is what the workflow reads and writes.
type Store interface {
	capsule.PromotionStore
	FindService(ctx context.Context, id string) (*capsule.Service, error)
	FindServiceRevision(ctx context.Context, serviceID string, number int) (*capsule.ServiceRevision, error)
	FindEnvironment(ctx context.Context, id string) (*capsule.Environment, error)
	FindProject(ctx context.Context, id string) (*capsule.Project, error)
	FindDeployment(ctx context.Context, id string) (*capsule.Deployment, error)
}

// CurrentState returns an environment's current objects of a service and
// says where they came from ("deploy run <id>", "none").
type CurrentState interface {
	CurrentState(ctx context.Context, env *capsule.Environment, svc *capsule.Service) (objs []manifest.Object, source string, err error)
}

// Decorator is implemented by a CurrentState whose objects carry what the
// deploy engine adds on apply: it adds the same to the proposal, so the
// two sides compare like for like.
type Decorator interface {
	Decorate(proposed, current []manifest.Object, env *capsule.Environment, svc *capsule.Service)
}

// Release is what an environment's newest successful release of a service
// ran; nil when it has none.
type Release struct {
	DeploymentID   string
	ConfigRevision int
	Image          string
	Strategy       string
	Replicas       int
}

// Releases finds an environment's newest release of a service.
type Releases interface {
	LastRelease(ctx context.Context, svc *capsule.Service, env *capsule.Environment) (*Release, error)
}

// Deployer starts a direct deployment (deployer.Deployer does).
type Deployer interface {
	Deploy(ctx context.Context, svc *capsule.Service, req deployer.DeployRequest) (*deployer.Accepted, error)
}

// Config is what a Service needs; Deployer, Git and Explainer may be nil.
type Config struct {
	Store     Store
	Current   CurrentState
	Releases  Releases
	Deployer  Deployer
	Git       GitDeliverer
	Explainer preview.Explainer
	// GitToken returns the credential of an environment's repository.
	GitToken func(ctx context.Context, env *capsule.Environment) (string, error)
	// Approver names a user in a Git commit's Approved-by trailer
	// ("Name <email>"): a user ID there tells a reader of the history
	// nothing. Nil, or an error, keeps the ID.
	Approver func(ctx context.Context, userID string) (string, error)
}

// Service runs the workflow.
type Service struct{ cfg Config }

// New returns a Service.
func New(cfg Config) *Service { return &Service{cfg: cfg} }

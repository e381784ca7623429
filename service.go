package capsule

import (
	"context"
	"time"
)

// Service types.
const (
	ServiceWeb    = "web"
	ServiceAPI    = "api"
	ServiceWorker = "worker"
	ServiceStatic = "static"
	ServiceCron   = "cron"
)

// Deploy strategies.
const (
	StrategyRolling   = "rolling"
	StrategyRecreate  = "recreate"
	StrategyBlueGreen = "blue-green"
	StrategyCanary    = "canary"
)

// Service is one deployable unit of a project (a Kubernetes workload).
type Service struct {
	ID        string        `json:"id"`
	ProjectID string        `json:"projectId"`
	Name      string        `json:"name"`
	Type      string        `json:"type"`
	Source    ServiceSource `json:"source"`
	Config    ServiceConfig `json:"configuration"`
	Status    string        `json:"status"`
	// Revision is the number of the service's current configuration revision.
	Revision  int       `json:"revision"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// ServiceSource says where the service's code lives and how it is built.
type ServiceSource struct {
	Repository   string `json:"repository,omitempty"`
	Path         string `json:"path,omitempty"` // path in a monorepo
	BuildCommand string `json:"buildCommand,omitempty"`
	StartCommand string `json:"startCommand,omitempty"`
	Image        string `json:"image,omitempty"` // a prebuilt image, instead of building
}

// ServiceConfig is the versioned configuration of a service. Secret values
// are never part of it: Secrets names secret-store entries.
type ServiceConfig struct {
	Env        map[string]string `json:"env,omitempty"`
	Secrets    []string          `json:"secrets,omitempty"`
	Resources  Resources         `json:"resources"`
	Scaling    Scaling           `json:"scaling"`
	Networking Networking        `json:"networking"`
	Strategy   Strategy          `json:"strategy"`
	Schedule   string            `json:"schedule,omitempty"` // cron services only
}

// Resources are Kubernetes quantities ("250m", "512Mi"), or a size preset
// (dev|small|medium|large|xlarge) that fills unset quantities.
type Resources struct {
	Preset        string `json:"preset,omitempty"`
	CPURequest    string `json:"cpuRequest,omitempty"`
	CPULimit      string `json:"cpuLimit,omitempty"`
	MemoryRequest string `json:"memoryRequest,omitempty"`
	MemoryLimit   string `json:"memoryLimit,omitempty"`
}

// Scaling is the replica policy: fixed when MaxReplicas is 0 or equal to
// MinReplicas, else autoscaled on CPU.
type Scaling struct {
	MinReplicas      int `json:"minReplicas"`
	MaxReplicas      int `json:"maxReplicas,omitempty"`
	TargetCPUPercent int `json:"targetCPUPercent,omitempty"`
}

// Networking says how the service is reached.
type Networking struct {
	Port            int      `json:"port,omitempty"`
	Public          bool     `json:"public,omitempty"`
	Domains         []string `json:"domains,omitempty"`
	HealthCheckPath string   `json:"healthCheckPath,omitempty"`
}

// Strategy is how new revisions roll out.
type Strategy struct {
	Type          string `json:"type"`
	CanaryPercent int    `json:"canaryPercent,omitempty"`
}

// Validate checks the service's fields and fills defaults.
func (s *Service) Validate() error {
	var v Validation
	if s.ProjectID == "" {
		v.Add("projectId", "is required")
	}
	v.checkDNSLabel("name", s.Name)
	v.checkOneOf("type", s.Type, ServiceWeb, ServiceAPI, ServiceWorker, ServiceStatic, ServiceCron)
	if s.Status == "" {
		s.Status = "inactive"
	}
	s.Config.validate(&v, s.Type)
	return v.Err()
}

func (c *ServiceConfig) validate(v *Validation, serviceType string) {
	for k := range c.Env {
		if !isEnvName(k) {
			v.Add("configuration.env."+k, "%q is not a valid environment variable name", k)
		}
	}
	if c.Resources.Preset != "" {
		v.checkOneOf("configuration.resources.preset", c.Resources.Preset, "dev", "small", "medium", "large", "xlarge")
	}
	if c.Scaling.MinReplicas == 0 && serviceType != ServiceCron {
		c.Scaling.MinReplicas = 1
	}
	if c.Scaling.MinReplicas < 0 {
		v.Add("configuration.scaling.minReplicas", "must not be negative")
	}
	if c.Scaling.MaxReplicas != 0 && c.Scaling.MaxReplicas < c.Scaling.MinReplicas {
		v.Add("configuration.scaling.maxReplicas", "must be at least minReplicas (%d)", c.Scaling.MinReplicas)
	}
	if p := c.Scaling.TargetCPUPercent; p < 0 || p > 100 {
		v.Add("configuration.scaling.targetCPUPercent", "must be between 1 and 100")
	}
	if p := c.Networking.Port; p < 0 || p > 65535 {
		v.Add("configuration.networking.port", "must be between 1 and 65535")
	}
	if c.Strategy.Type == "" {
		c.Strategy.Type = StrategyRolling
	}
	v.checkOneOf("configuration.strategy.type", c.Strategy.Type, StrategyRolling, StrategyRecreate, StrategyBlueGreen, StrategyCanary)
	if p := c.Strategy.CanaryPercent; p < 0 || p > 100 {
		v.Add("configuration.strategy.canaryPercent", "must be between 0 and 100")
	}
	if serviceType == ServiceCron && c.Schedule == "" {
		v.Add("configuration.schedule", "is required for cron services")
	}
}

func isEnvName(s string) bool {
	if s == "" {
		return false
	}
	for i, c := range s {
		ok := c == '_' || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (i > 0 && c >= '0' && c <= '9')
		if !ok {
			return false
		}
	}
	return true
}

// ServiceRevision is an immutable snapshot of a service's type, source and
// configuration. Every change of those creates the next numbered revision.
type ServiceRevision struct {
	ServiceID string        `json:"serviceId"`
	Number    int           `json:"number"`
	Type      string        `json:"type"`
	Source    ServiceSource `json:"source"`
	Config    ServiceConfig `json:"configuration"`
	CreatedBy string        `json:"createdBy,omitempty"`
	CreatedAt time.Time     `json:"createdAt"`
}

// ServiceFilter selects services.
type ServiceFilter struct {
	ProjectID       string
	OrganizationIDs []string // when not nil, only services of these organizations
	Type            string
	Status          string
	Page
}

// ServiceStore persists services and their revisions.
type ServiceStore interface {
	FindService(ctx context.Context, id string) (*Service, error)
	ListServices(ctx context.Context, f ServiceFilter) (List[Service], error)
	// CreateService stores the service and its revision 1 in one transaction.
	CreateService(ctx context.Context, s *Service, actor string) error
	// UpdateService checks s.Version like every update; when the type, source
	// or configuration changed it also stores the next revision, atomically.
	UpdateService(ctx context.Context, s *Service, actor string) error
	DeleteService(ctx context.Context, id string) error
	ListServiceRevisions(ctx context.Context, serviceID string, p Page) (List[ServiceRevision], error)
	FindServiceRevision(ctx context.Context, serviceID string, number int) (*ServiceRevision, error)
}

package servicespec

// Spec is one service's resolved configuration: the base of capsule.yaml with
// an environment's overrides merged in and defaults filled.
type Spec struct {
	Name      string            `yaml:"name,omitempty" json:"name"`
	Type      string            `yaml:"type,omitempty" json:"type"`
	Language  string            `yaml:"language,omitempty" json:"language,omitempty"`
	Framework string            `yaml:"framework,omitempty" json:"framework,omitempty"`
	Image     string            `yaml:"image,omitempty" json:"image,omitempty"`
	Build     Build             `yaml:"build,omitempty" json:"build,omitzero"`
	Start     string            `yaml:"start,omitempty" json:"start,omitempty"`
	Port      int               `yaml:"port,omitempty" json:"port,omitempty"`
	Schedule  string            `yaml:"schedule,omitempty" json:"schedule,omitempty"`
	Env       map[string]string `yaml:"env,omitempty" json:"env,omitempty"`
	Secrets   []string          `yaml:"secrets,omitempty" json:"secrets,omitempty"`
	Resources Resources         `yaml:"resources,omitempty" json:"resources,omitzero"`
	Scaling   Scaling           `yaml:"scaling,omitempty" json:"scaling,omitzero"`
	Health    Health            `yaml:"health,omitempty" json:"health,omitzero"`
	Deploy    Deploy            `yaml:"deploy,omitempty" json:"deploy,omitzero"`
	Ingress   Ingress           `yaml:"ingress,omitempty" json:"ingress,omitzero"`
	Storage   *Storage          `yaml:"storage,omitempty" json:"storage,omitempty"`
	// WritablePaths are mounted as emptyDir volumes, because the root
	// filesystem is read-only; /tmp always is.
	WritablePaths []string `yaml:"writablePaths,omitempty" json:"writablePaths,omitempty"`
	// ReadOnlyRootFilesystem defaults to true; set false for software that
	// writes all over its image and cannot be told otherwise.
	ReadOnlyRootFilesystem *bool `yaml:"readOnlyRootFilesystem,omitempty" json:"readOnlyRootFilesystem,omitempty"`
	// Environments holds the per-environment overrides when a Spec is
	// written (capsule init); resolved Specs leave it empty.
	Environments map[string]Spec `yaml:"environments,omitempty" json:"environments,omitempty"`
}

// Build says how the image is built.
type Build struct {
	Command    string `yaml:"command,omitempty" json:"command,omitempty"`
	Dockerfile string `yaml:"dockerfile,omitempty" json:"dockerfile,omitempty"`
	Context    string `yaml:"context,omitempty" json:"context,omitempty"`
}

// Resources are a size preset and explicit quantities; explicit quantities
// win over the preset's.
type Resources struct {
	Preset string `yaml:"preset,omitempty" json:"preset,omitempty"`
	CPU    Pair   `yaml:"cpu,omitempty" json:"cpu,omitzero"`
	Memory Pair   `yaml:"memory,omitempty" json:"memory,omitzero"`
}

// Pair is a request and a limit, as Kubernetes quantities.
type Pair struct {
	Request string `yaml:"request,omitempty" json:"request,omitempty"`
	Limit   string `yaml:"limit,omitempty" json:"limit,omitempty"`
}

// Scaling is the replica policy: autoscaled when MaxReplicas > MinReplicas.
type Scaling struct {
	MinReplicas  int `yaml:"minReplicas,omitempty" json:"minReplicas,omitempty"`
	MaxReplicas  int `yaml:"maxReplicas,omitempty" json:"maxReplicas,omitempty"`
	TargetCPU    int `yaml:"targetCPU,omitempty" json:"targetCPU,omitempty"`
	TargetMemory int `yaml:"targetMemory,omitempty" json:"targetMemory,omitempty"`
}

// Autoscaled reports whether the scaling policy needs an autoscaler.
func (s Scaling) Autoscaled() bool { return s.MaxReplicas > s.MinReplicas }

// Health configures the probes. Without a path the probes use TCP.
type Health struct {
	Path                string `yaml:"path,omitempty" json:"path,omitempty"`
	Port                int    `yaml:"port,omitempty" json:"port,omitempty"`
	InitialDelaySeconds int    `yaml:"initialDelaySeconds,omitempty" json:"initialDelaySeconds,omitempty"`
}

// Deploy is the rollout strategy.
type Deploy struct {
	Strategy      string `yaml:"strategy,omitempty" json:"strategy,omitempty"`
	CanaryPercent int    `yaml:"canaryPercent,omitempty" json:"canaryPercent,omitempty"`
}

// Ingress exposes the service on a host name.
type Ingress struct {
	Host      string `yaml:"host,omitempty" json:"host,omitempty"`
	Path      string `yaml:"path,omitempty" json:"path,omitempty"`
	TLS       bool   `yaml:"tls,omitempty" json:"tls,omitempty"`
	Issuer    string `yaml:"issuer,omitempty" json:"issuer,omitempty"`
	ClassName string `yaml:"className,omitempty" json:"className,omitempty"`
}

// Storage is a persistent volume per replica (a StatefulSet).
type Storage struct {
	Size         string `yaml:"size" json:"size"`
	MountPath    string `yaml:"mountPath" json:"mountPath"`
	StorageClass string `yaml:"storageClass,omitempty" json:"storageClass,omitempty"`
}

// Service types, as in the domain package.
const (
	TypeWeb    = "web"
	TypeAPI    = "api"
	TypeWorker = "worker"
	TypeStatic = "static"
	TypeCron   = "cron"
)

// Deploy strategies.
const (
	StrategyRolling   = "rolling"
	StrategyRecreate  = "recreate"
	StrategyBlueGreen = "blue-green"
	StrategyCanary    = "canary"
)

// Serves reports whether the type answers network requests (and so gets a
// Service, probes and possibly an Ingress).
func Serves(serviceType string) bool {
	return serviceType == TypeWeb || serviceType == TypeAPI || serviceType == TypeStatic
}

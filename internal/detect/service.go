package detect

// Service is one deployable service found in a repository. The JSON shape is
// the contract of `capsule detect -o json`.
type Service struct {
	Name            string `json:"name"`
	Path            string `json:"path"` // relative to the repository root, "." for the root
	Language        string `json:"language"`
	Framework       string `json:"framework"`
	Type            string `json:"type"` // web|api|worker|static|cron
	PackageManager  string `json:"packageManager,omitempty"`
	RuntimeVersion  string `json:"runtimeVersion,omitempty"`
	BuildCommand    string `json:"buildCommand,omitempty"`
	StartCommand    string `json:"startCommand,omitempty"`
	Port            int    `json:"port,omitempty"`
	HealthCheckPath string `json:"healthCheckPath,omitempty"`
	Dockerfile      bool   `json:"dockerfile"`
	// OutputDir is where a static build writes its files ("dist", "out", ...).
	OutputDir string   `json:"outputDir,omitempty"`
	Signals   []string `json:"signals"`
}

// Result is everything detected in a repository.
type Result struct {
	Services []Service `json:"services"`
}

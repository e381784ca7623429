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
	OutputDir string `json:"outputDir,omitempty"`
	// Schedule is the cron schedule of a cron service.
	Schedule string `json:"schedule,omitempty"`
	// Workspace is the monorepo root (relative to the repository root) where
	// dependencies are installed and the build and start commands run; empty
	// means the commands run in Path.
	Workspace string   `json:"workspace,omitempty"`
	Signals   []string `json:"signals"`
}

// Result is everything detected in a repository.
type Result struct {
	Services []Service `json:"services"`
	// Errors lists monorepo members that could not be detected.
	Errors []ServiceError `json:"errors,omitempty"`
	// Warnings are problems found in directories that yielded no service
	// (a monorepo member whose only manifest is broken), each naming the
	// file and line; a service's own warnings are among its signals.
	Warnings []string `json:"warnings,omitempty"`
}

// ServiceError is a service of a monorepo whose detection failed (a
// malformed manifest); the other services are still reported.
type ServiceError struct {
	Path  string `json:"path"`
	Error string `json:"error"`
}

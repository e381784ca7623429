package deploy

import (
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Strategy types.
const (
	StrategyRolling   = "rolling"
	StrategyRecreate  = "recreate"
	StrategyBlueGreen = "blue-green"
	StrategyCanary    = "canary"
)

// Phases of a deploy. Running, Failed and RolledBack are final and are the
// values of the domain's deployment statuses of the same names.
const (
	PhaseApplying    = "applying"
	PhaseMigrating   = "migrating"
	PhaseRollingOut  = "rolling_out"
	PhaseAnalyzing   = "analyzing"
	PhaseSwitching   = "switching"
	PhaseRollingBack = "rolling_back"
	PhaseRunning     = "running"
	PhaseFailed      = "failed"
	PhaseRolledBack  = "rolled_back"
)

// Defaults the zero values of Request and Strategy stand for.
const (
	DefaultProgressDeadline = 10 * time.Minute
	DefaultKeepOld          = 10 * time.Minute
	DefaultCanaryPause      = 30 * time.Second
	DefaultMigrationTimeout = 10 * time.Minute
)

// DefaultCanarySteps are the canary's traffic percentages, step by step.
var DefaultCanarySteps = []int{10, 25, 50, 100}

// Request is one revision of one service to put on the cluster.
type Request struct {
	// Namespace receives every namespaced object; objects that name
	// another namespace are refused.
	Namespace string
	// Service is the service's name; it labels every object
	// (capsule.dev/service), which is how prune finds what left the set.
	Service string
	// Revision is the service revision; it is written on every object as
	// the capsule.dev/revision annotation.
	Revision int
	// Image is the image being deployed, for messages; the objects carry
	// the image themselves.
	Image string
	// Objects are the rendered objects (FromRendered converts render's).
	Objects []*unstructured.Unstructured
	// Strategy is how the workload changes; its Type defaults to what the
	// objects were rendered for.
	Strategy Strategy
	// ProgressDeadline is how long a rollout may go without a new pod
	// becoming Ready before it fails; zero means DefaultProgressDeadline.
	ProgressDeadline time.Duration
	// Force takes over fields another field manager owns; without it such
	// an object is refused before anything is applied.
	Force bool
	// Migration, when set, runs as a Job before any workload changes.
	Migration *Migration
	// Previous is the revision to return to when this one fails. When nil
	// the engine uses the last revision that rolled out in the namespace
	// (its release record); when there is none a failed deploy stays
	// failed.
	Previous *Request
	// NoRollback leaves a failed rollout in place (for debugging).
	NoRollback bool
}

// Strategy says how the new revision replaces the running one.
type Strategy struct {
	// Type is rolling, recreate, blue-green or canary; empty means the
	// rendered workload's own (render decides by the service spec).
	Type string
	// MaxSurge and MaxUnavailable override the rolling update's (a count
	// or a percentage, as in a Deployment); empty keeps the rendered ones.
	MaxSurge, MaxUnavailable string
	// KeepOld is how long blue-green keeps the previous colour after the
	// switch, for an instant switch back; zero means DefaultKeepOld and a
	// negative value removes it at once.
	KeepOld time.Duration
	// Steps are the canary's traffic percentages; empty means
	// DefaultCanarySteps. The last step must be 100.
	Steps []int
	// Pause is how long each canary step runs before its analysis; zero
	// means DefaultCanaryPause and a negative value means no pause.
	Pause time.Duration
	// Analysis holds the canary's metric thresholds.
	Analysis Analysis
}

// Migration is a command run as a Job, with the workload's pod template
// (image, environment, service account), before the rollout.
type Migration struct {
	Command []string
	// Timeout bounds the Job (activeDeadlineSeconds); zero means
	// DefaultMigrationTimeout.
	Timeout time.Duration
}

// Progress is one report of a deploy's state.
type Progress struct {
	Phase string `json:"phase"`
	// Percent is the new revision's Ready pods over the desired count.
	Percent int    `json:"percent"`
	Message string `json:"message"`
	// Desired, Running and Ready count the new revision's pods.
	Desired int `json:"desired"`
	Running int `json:"running"`
	Ready   int `json:"ready"`
}

// ObjectRef names one object.
type ObjectRef struct {
	Kind      string `json:"kind"`
	Namespace string `json:"namespace,omitempty"`
	Name      string `json:"name"`
}

func (r ObjectRef) String() string {
	if r.Namespace == "" {
		return r.Kind + " " + r.Name
	}
	return r.Kind + " " + r.Namespace + "/" + r.Name
}

// Result is how a deploy ended.
type Result struct {
	// Phase is running, failed or rolled_back.
	Phase string `json:"phase"`
	// Message says why, in plain words, for failed and rolled_back.
	Message string `json:"message"`
	// Revision is the revision that was deployed.
	Revision int `json:"revision"`
	// RolledBackTo is the revision restored after a failure (0 if none).
	RolledBackTo int `json:"rolledBackTo,omitempty"`
	// Applied lists every object written to the cluster, in order, even
	// when the deploy failed half way; Pruned lists those deleted because
	// they left the rendered set.
	Applied []ObjectRef `json:"applied"`
	Pruned  []ObjectRef `json:"pruned,omitempty"`
	// Desired, Running and Ready are the last pod counts seen.
	Desired int `json:"desired"`
	Running int `json:"running"`
	Ready   int `json:"ready"`
	// Color is blue-green's live colour after the deploy; IdleColor the
	// previous one, kept until RetireAfter (zero when already removed).
	Color       string    `json:"color,omitempty"`
	IdleColor   string    `json:"idleColor,omitempty"`
	RetireAfter time.Time `json:"retireAfter,omitzero"`
}

package testenv

import (
	"fmt"
	"strings"
	"time"
)

// SimLabel chooses how kwok plays a pod. A pod (or a Deployment's pod
// template) labelled SimLabel=<behaviour> follows that behaviour whatever the
// cluster's default, so one shared cluster serves tests that each need
// something different:
//
//	ready        Running and Ready at once (the default default)
//	never-ready  Running, containers up, readiness never passes
//	crashloop    containers in CrashLoopBackOff, never Ready
//	slow         Running at once, Ready after SimReadyAfterAnnotation
//	             (a Go duration, e.g. "30s") or the cluster's slow delay
//
// A pod without the label, or with a value naming no behaviour, follows the
// cluster's default (Config.PodBehaviour).
const SimLabel = "capsule.dev/sim"

// SimReadyAfterAnnotation sets how long a SimLabel=slow pod takes to become
// Ready, as a Go duration ("45s", "2m"). Unparsable values fall back to the
// cluster's slow delay.
const SimReadyAfterAnnotation = "capsule.dev/sim-ready-after"

// Pod behaviours, the values of SimLabel.
const (
	BehaviourReady      = "ready"
	BehaviourNeverReady = "never-ready"
	BehaviourCrashLoop  = "crashloop"
	BehaviourSlow       = "slow"
)

// behaviours lists every value of SimLabel the stages know.
var behaviours = []string{BehaviourReady, BehaviourNeverReady, BehaviourCrashLoop, BehaviourSlow}

// DefaultSlowDelay is how long a slow pod takes to become Ready when neither
// its annotation nor the cluster's behaviour names a delay.
const DefaultSlowDelay = 30 * time.Second

// maxSlowDelay bounds the cluster-wide slow delay: longer is surely a typo
// (30h for 30s) and would look like a hang.
const maxSlowDelay = 24 * time.Hour

// PodBehaviour is how kwok plays pods that do not choose one with SimLabel.
// The zero value is BehaviourReady.
type PodBehaviour struct {
	// Kind is one of the Behaviour* constants; empty means ready.
	Kind string
	// ReadyAfter is the default delay of slow pods; zero means
	// DefaultSlowDelay. Only meaningful when Kind is slow.
	ReadyAfter time.Duration
}

// ParsePodBehaviour reads the command-line form of a PodBehaviour:
// "ready", "never-ready", "crashloop", "slow" or "slow:<duration>" (e.g.
// "slow:30s").
func ParsePodBehaviour(s string) (PodBehaviour, error) {
	kind, arg, hasArg := strings.Cut(s, ":")
	switch kind {
	case BehaviourReady, BehaviourNeverReady, BehaviourCrashLoop:
		if hasArg {
			return PodBehaviour{}, fmt.Errorf("pod behaviour %q takes no duration (only slow:<duration> does)", kind)
		}
		return PodBehaviour{Kind: kind}, nil
	case BehaviourSlow:
		b := PodBehaviour{Kind: kind}
		if !hasArg {
			return b, nil
		}
		d, err := time.ParseDuration(arg)
		if err != nil {
			return PodBehaviour{}, fmt.Errorf("pod behaviour %q: %q is not a duration such as 30s or 2m", s, arg)
		}
		if d <= 0 || d > maxSlowDelay {
			return PodBehaviour{}, fmt.Errorf("pod behaviour %q: the delay must be above 0 and at most %s", s, maxSlowDelay)
		}
		b.ReadyAfter = d
		return b, nil
	}
	return PodBehaviour{}, fmt.Errorf("unknown pod behaviour %q: want one of %s, or slow:<duration>", s, strings.Join(behaviours, ", "))
}

// String is the form ParsePodBehaviour reads.
func (b PodBehaviour) String() string {
	b = b.normal()
	if b.Kind == BehaviourSlow {
		return fmt.Sprintf("slow:%s", b.ReadyAfter)
	}
	return b.Kind
}

func (b PodBehaviour) normal() PodBehaviour {
	if b.Kind == "" {
		b.Kind = BehaviourReady
	}
	if b.Kind == BehaviourSlow && b.ReadyAfter == 0 {
		b.ReadyAfter = DefaultSlowDelay
	}
	return b
}

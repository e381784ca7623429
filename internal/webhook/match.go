package webhook

import (
	"fmt"
	"regexp"
	"strings"
	"sync"
)

// MaxPatterns bounds the event patterns of one subscription.
const MaxPatterns = 50

// patternRE is an event type ("deployment.failed"), a family
// ("deployment.*") or "*" for every event.
// It compiles on first use: the binary's start-up stays free of it.
var patternRE = sync.OnceValue(func() *regexp.Regexp {
	return regexp.MustCompile(`^(\*|[a-z][a-z0-9_]*(\.[a-z0-9_]+)*(\.\*)?)$`)
})

// CheckPatterns returns an error naming the first pattern that is not an
// event type, a family ending in ".*", or "*".
func CheckPatterns(patterns []string) error {
	if len(patterns) == 0 {
		return fmt.Errorf("at least one event type or pattern is required, e.g. \"deployment.*\"")
	}
	if len(patterns) > MaxPatterns {
		return fmt.Errorf("%d patterns, at most %d", len(patterns), MaxPatterns)
	}
	for i, p := range patterns {
		if len(p) > 100 || !patternRE().MatchString(p) {
			return fmt.Errorf("events[%d] %q is not an event type (deployment.failed), a family (deployment.*) or *", i, p)
		}
	}
	return nil
}

// Matches reports whether an event of type typ is one of patterns.
func Matches(patterns []string, typ string) bool {
	for _, p := range patterns {
		if p == "*" || p == typ {
			return true
		}
		if fam, ok := strings.CutSuffix(p, "*"); ok && strings.HasPrefix(typ, fam) {
			return true
		}
	}
	return false
}

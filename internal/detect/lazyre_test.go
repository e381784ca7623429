package detect

import (
	"regexp"
	"testing"
)

// The detectors' expressions are compiled on first use, so a malformed one
// would only panic in the detection that needs it: compile them all here.
func TestLazyRegexpsCompile(t *testing.T) {
	if len(allLazyRE) < 50 {
		t.Fatalf("only %d lazy expressions registered; package variables should use lazyRegexp", len(allLazyRE))
	}
	for _, l := range allLazyRE {
		if _, err := regexp.Compile(l.expr); err != nil {
			t.Errorf("expression %q: %v", l.expr, err)
		}
		if l.get() == nil {
			t.Errorf("expression %q compiled to nil", l.expr)
		}
	}
}

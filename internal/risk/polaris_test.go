package risk

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/manifest"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// TestPolarisCoverage runs our own re-expressions of Polaris's check
// fixtures (testdata/polaris/<check>.txt: a "# Rules:" header naming the
// rules that mirror the check, then one section per fixture). Every
// failure case must raise one of those rules (recall at least 97 %, each
// miss listed), and no success case may raise any of them. The success
// side is judged per rule rather than per category: a Polaris success case
// for one check can rightly fail another of the same category (a role with
// explicit verbs on "*" resources is not cluster-admin, yet is a wildcard
// grant).
func TestPolarisCoverage(t *testing.T) {
	files, err := filepath.Glob("testdata/polaris/*.txt")
	if err != nil || len(files) == 0 {
		t.Fatalf("no Polaris cases: %v", err)
	}
	var failures, caught int
	for _, file := range files {
		raw, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		rules := headerRules(t, file, string(raw))
		names, sections := splitSections(t, raw)
		for _, name := range names {
			fired := firedRules(t, file+": "+name, sections[name])
			hit := false
			for _, r := range rules {
				hit = hit || fired[r]
			}
			switch {
			case strings.HasPrefix(name, "failure."):
				failures++
				if hit {
					caught++
				} else {
					t.Logf("missed: %s %s (rules %v fired nothing; got %v)", filepath.Base(file), name, rules, keys(fired))
				}
			case strings.HasPrefix(name, "success."):
				if hit {
					t.Errorf("%s %s: success case raised one of %v (got %v)", filepath.Base(file), name, rules, keys(fired))
				}
			default:
				t.Errorf("%s: section %q is neither failure.* nor success.*", file, name)
			}
		}
	}
	recall := float64(caught) / float64(failures)
	t.Logf("Polaris failure cases caught: %d/%d (%.1f%%)", caught, failures, 100*recall)
	if recall < 0.97 {
		t.Errorf("recall %.3f on Polaris failure cases, want ≥ 0.97", recall)
	}
}

func headerRules(t *testing.T, file, raw string) []string {
	t.Helper()
	for _, line := range strings.Split(raw, "\n") {
		if rest, ok := strings.CutPrefix(line, "# Rules:"); ok {
			rules := strings.Fields(rest)
			reg := map[string]bool{}
			for _, r := range Default().Rules() {
				reg[r.Meta().ID] = true
			}
			for _, r := range rules {
				if !reg[r] {
					t.Fatalf("%s: rule %q is not registered", file, r)
				}
			}
			return rules
		}
	}
	t.Fatalf("%s: no \"# Rules:\" header", file)
	return nil
}

// firedRules evaluates the section as the proposed set of a new
// environment and returns the IDs of the rules with findings.
func firedRules(t *testing.T, where, text string) map[string]bool {
	t.Helper()
	objs, err := manifest.Parse(where, []byte(text))
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	us := make([]*unstructured.Unstructured, len(objs))
	for i, o := range objs {
		us[i] = o.Unstructured
	}
	rep, err := Evaluate(Default(), Input{Proposed: us})
	if err != nil {
		t.Fatalf("%s: %v", where, err)
	}
	out := map[string]bool{}
	for _, f := range rep.Findings {
		out[f.Rule] = true
	}
	return out
}

func keys(m map[string]bool) []string {
	out := make([]string, 0, len(m))
	for k := range m {
		out = append(out, k)
	}
	return out
}

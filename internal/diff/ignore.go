package diff

import (
	"fmt"
	"strconv"
	"strings"

	"github.com/usecapsule/capsule/internal/manifest"
)

func checkRules(rules []IgnoreRule) error {
	for i, r := range rules {
		if r.Kind == "" {
			return fmt.Errorf("ignore rule %d: kind is required (use \"*\" for every kind)", i)
		}
		if len(r.JQPathExpressions) > 0 {
			return fmt.Errorf("ignore rule %d (%s): jqPathExpressions are not supported; use jsonPointers", i, r.Kind)
		}
		for _, p := range r.JSONPointers {
			if p == "" || p[0] != '/' {
				return fmt.Errorf("ignore rule %d (%s): JSON pointer %q must start with \"/\"", i, r.Kind, p)
			}
		}
	}
	return nil
}

// rulesFor returns the rules that apply to an object.
func rulesFor(rules []IgnoreRule, id manifest.ID) []IgnoreRule {
	var out []IgnoreRule
	for _, r := range rules {
		// A rule naming a legacy group (extensions for Ingress) matches the
		// kind's current group, as object identities do.
		if (r.Kind == "*" || r.Kind == id.Kind) && (r.Group == "*" || manifest.CanonicalGroup(r.Group, id.Kind) == id.Group) &&
			(r.Name == "" || r.Name == id.Name) && (r.Namespace == "" || r.Namespace == id.Namespace) {
			out = append(out, r)
		}
	}
	return out
}

// removePointer deletes the value at a JSON pointer; a missing path is fine.
func removePointer(root map[string]any, ptr string) {
	segs := strings.Split(ptr[1:], "/")
	var cur any = root
	for i, s := range segs {
		s = strings.ReplaceAll(strings.ReplaceAll(s, "~1", "/"), "~0", "~")
		last := i == len(segs)-1
		switch x := cur.(type) {
		case map[string]any:
			if last {
				delete(x, s)
				return
			}
			cur = x[s]
		case []any:
			n, err := strconv.Atoi(s)
			if err != nil || n < 0 || n >= len(x) {
				return
			}
			if last {
				x[n] = nil // keep indexes stable for the other rules
				return
			}
			cur = x[n]
		default:
			return
		}
	}
}

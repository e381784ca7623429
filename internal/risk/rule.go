package risk

import (
	"fmt"
	"sort"
)

// Meta describes a rule: a stable ID, one of the fixed categories and the
// default severity of its findings on the 0–10 scale.
type Meta struct {
	ID       string
	Category string
	Severity float64
}

// Rule is anything in the registry. A rule is either a SetRule or a
// ChangeRule.
type Rule interface {
	Meta() Meta
}

// SetRule judges one set of objects. The engine runs it on the current and
// on the proposed set and reports the difference as new, resolved or
// unchanged findings.
type SetRule interface {
	Rule
	Check(c *Context) []Finding
}

// ChangeRule judges the change from the current to the proposed set
// (regressions such as "replicas lowered"); its findings are always new.
type ChangeRule interface {
	Rule
	Compare(c *Change) []Finding
}

// finding builds a finding of the rule with its default severity.
func (m Meta) finding(resource, path, format string, args ...any) Finding {
	return Finding{
		Rule:     m.ID,
		Category: m.Category,
		Severity: m.Severity,
		Resource: resource,
		Path:     path,
		Message:  fmt.Sprintf(format, args...),
	}
}

// Registry holds the rules the engine runs, keyed by unique ID.
type Registry struct {
	rules []Rule
	ids   map[string]bool
}

// NewRegistry returns an empty registry.
func NewRegistry() *Registry { return &Registry{ids: map[string]bool{}} }

// Register adds a rule; IDs must be unique and the category one of the
// fixed categories.
func (r *Registry) Register(rule Rule) error {
	m := rule.Meta()
	if r.ids[m.ID] {
		return fmt.Errorf("risk rule %q registered twice", m.ID)
	}
	if !Categories[m.Category] {
		return fmt.Errorf("risk rule %q: unknown category %q", m.ID, m.Category)
	}
	switch rule.(type) {
	case SetRule, ChangeRule:
	default:
		return fmt.Errorf("risk rule %q implements neither SetRule nor ChangeRule", m.ID)
	}
	r.ids[m.ID] = true
	// Insert in ID order, so Rules needs no sort.
	i := sort.Search(len(r.rules), func(i int) bool { return r.rules[i].Meta().ID > m.ID })
	r.rules = append(r.rules, nil)
	copy(r.rules[i+1:], r.rules[i:])
	r.rules[i] = rule
	return nil
}

// Rules returns the registered rules ordered by ID.
func (r *Registry) Rules() []Rule { return append([]Rule(nil), r.rules...) }

// builtin collects the rules each rule file contributes from its init
// function, so adding a rule is adding one file.
var builtin []Rule

func register(rules ...Rule) { builtin = append(builtin, rules...) }

// Default returns a registry holding every built-in rule.
func Default() *Registry {
	r := NewRegistry()
	for _, rule := range builtin {
		if err := r.Register(rule); err != nil {
			panic(err) // a programming error in a built-in rule, caught by every test
		}
	}
	return r
}

// Categories are the risk categories a preview reports; several rules may share one.
var Categories = map[string]bool{
	"privileged": true, "privilege-escalation": true, "run-as-root": true, "host-namespace": true,
	"host-port": true, "host-path": true, "capabilities": true, "readonly-rootfs": true,
	"probes": true, "resources": true, "replicas": true, "pdb": true, "hpa": true, "image-tag": true,
	"secrets-in-env": true, "network-policy": true, "deprecated-api": true, "quota": true,
	"capacity": true, "selector": true, "immutable-field": true, "config-reference": true,
	"rbac": true, "cost-increase": true,
	"exposure": true, "isolation": true, "batch": true, "spec-validity": true, "admission": true,
}

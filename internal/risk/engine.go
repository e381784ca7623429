package risk

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// Input is what the engine judges.
type Input struct {
	Current  []*unstructured.Unstructured
	Proposed []*unstructured.Unstructured
	// Cluster is the target cluster's state; nil skips quota, limit range and
	// capacity rules.
	Cluster *Cluster
	// KubeVersion is the target Kubernetes version ("1.34", "v1.34.2");
	// empty means DefaultKubeVersion.
	KubeVersion string
	// Cost is the monthly cost change; nil skips the cost-increase rule.
	Cost *CostChange
}

// DefaultKubeVersion is the target version when none is given.
const DefaultKubeVersion = "1.34"

// CostChange is the monthly cost of the two sets, in cents so thresholds
// compare exactly.
type CostChange struct {
	BaselineCents  int64
	ProjectedCents int64
}

// Report is the engine's result.
type Report struct {
	Level    Level     `json:"risk_level"`
	Findings []Finding `json:"risks"`
	// NotAssessed are the proposed objects the rules could not judge (see
	// NotAssessed); never nil. Left out of JSON when empty, so reports of
	// known kinds keep their shape; the preview always shows the list.
	NotAssessed []ObjectRef `json:"not_assessed,omitempty"`
}

// Context is what a SetRule sees: the set it judges, the current set as
// the baseline (what already runs, so quota and capacity rules count only
// the difference) and the target.
type Context struct {
	Set      *Set
	Baseline *Set
	Cluster  *Cluster
	Version  Version
}

// Change is what a ChangeRule sees.
type Change struct {
	Current  *Set
	Proposed *Set
	Cluster  *Cluster
	Cost     *CostChange
}

// Evaluate runs every rule of reg on the input and returns the findings as
// a delta with the overall risk level.
func Evaluate(reg *Registry, in Input) (Report, error) {
	v := in.KubeVersion
	if v == "" {
		v = DefaultKubeVersion
	}
	ver, err := ParseVersion(v)
	if err != nil {
		return Report{}, err
	}
	cur, prop := NewSet(in.Current), NewSet(in.Proposed)
	var before, after, changed []Finding
	for _, r := range reg.Rules() {
		switch rule := r.(type) {
		case SetRule:
			before = append(before, rule.Check(&Context{Set: cur, Baseline: cur, Cluster: in.Cluster, Version: ver})...)
			after = append(after, rule.Check(&Context{Set: prop, Baseline: cur, Cluster: in.Cluster, Version: ver})...)
		case ChangeRule:
			changed = append(changed, rule.Compare(&Change{Current: cur, Proposed: prop, Cluster: in.Cluster, Cost: in.Cost})...)
		}
	}
	fs := delta(before, after)
	for _, f := range changed {
		f.Status = StatusNew
		fs = append(fs, f)
	}
	fs = dedupe(fs)
	sortFindings(fs)
	if fs == nil {
		fs = []Finding{}
	}
	return Report{Level: levelOf(fs), Findings: fs, NotAssessed: NotAssessed(in.Proposed)}, nil
}

// delta matches findings by rule, resource and path. An unchanged finding
// carries the proposed severity and message (a quota breach may worsen).
func delta(before, after []Finding) []Finding {
	old := make(map[string]bool, len(before))
	for _, f := range before {
		old[f.matchKey()] = true
	}
	now := make(map[string]bool, len(after))
	out := make([]Finding, 0, len(after))
	for _, f := range after {
		k := f.matchKey()
		now[k] = true
		f.Status = StatusNew
		if old[k] {
			f.Status = StatusUnchanged
		}
		out = append(out, f)
	}
	for _, f := range before {
		if !now[f.matchKey()] {
			f.Status = StatusResolved
			out = append(out, f)
		}
	}
	return out
}

// dedupe drops repeated findings (same rule, resource, path and status),
// which a rule can produce when an object is reachable twice.
func dedupe(fs []Finding) []Finding {
	seen := make(map[string]bool, len(fs))
	out := fs[:0]
	for _, f := range fs {
		k := f.matchKey() + "\x00" + string(f.Status)
		if seen[k] {
			continue
		}
		seen[k] = true
		out = append(out, f)
	}
	return out
}

// Version is a Kubernetes minor version.
type Version struct{ Major, Minor int }

// ParseVersion reads "1.34", "v1.34" or "v1.34.2".
func ParseVersion(s string) (Version, error) {
	t := strings.TrimPrefix(strings.TrimSpace(s), "v")
	parts := strings.Split(t, ".")
	if len(parts) < 2 || len(parts) > 3 {
		return Version{}, fmt.Errorf("invalid Kubernetes version %q (want MAJOR.MINOR, e.g. 1.34)", s)
	}
	major, err1 := strconv.Atoi(parts[0])
	minor, err2 := strconv.Atoi(parts[1])
	if err1 != nil || err2 != nil || major < 1 || minor < 0 {
		return Version{}, fmt.Errorf("invalid Kubernetes version %q (want MAJOR.MINOR, e.g. 1.34)", s)
	}
	return Version{Major: major, Minor: minor}, nil
}

// AtLeast reports whether v ≥ o.
func (v Version) AtLeast(o Version) bool {
	return v.Major > o.Major || (v.Major == o.Major && v.Minor >= o.Minor)
}

// String renders "1.34".
func (v Version) String() string { return strconv.Itoa(v.Major) + "." + strconv.Itoa(v.Minor) }

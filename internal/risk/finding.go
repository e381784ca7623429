package risk

import (
	"fmt"
	"sort"
)

// Status says how a finding moved between the current and the proposed set.
type Status string

// The statuses of a finding.
const (
	StatusNew       Status = "new"       // present in proposed, absent in current
	StatusResolved  Status = "resolved"  // present in current, absent in proposed
	StatusUnchanged Status = "unchanged" // present in both
)

// Finding is one risk found by a rule on one resource.
type Finding struct {
	Rule     string  `json:"rule"`
	Category string  `json:"category"`
	Severity float64 `json:"severity"`
	Status   Status  `json:"status"`
	Resource string  `json:"resource"`
	Path     string  `json:"path"`
	Message  string  `json:"message"`
}

// matchKey identifies a finding across the two sets: rule, resource and path.
func (f Finding) matchKey() string { return f.Rule + "\x00" + f.Resource + "\x00" + f.Path }

// Level is the overall risk of a change.
type Level string

// The risk levels, from lowest to highest. A change with no new or
// unchanged finding is low: its highest severity is 0.
const (
	LevelLow      Level = "low"
	LevelMedium   Level = "medium"
	LevelHigh     Level = "high"
	LevelCritical Level = "critical"
)

var levelRank = map[Level]int{LevelLow: 1, LevelMedium: 2, LevelHigh: 3, LevelCritical: 4}

// LevelOf maps a severity on the 0–10 scale to a level:
// low < 4 ≤ medium < 7 ≤ high < 9 ≤ critical.
func LevelOf(severity float64) Level {
	switch {
	case severity >= 9:
		return LevelCritical
	case severity >= 7:
		return LevelHigh
	case severity >= 4:
		return LevelMedium
	default:
		return LevelLow
	}
}

// ParseLevel parses a level name as used by --fail-on.
func ParseLevel(s string) (Level, error) {
	l := Level(s)
	if _, ok := levelRank[l]; !ok {
		return "", fmt.Errorf("unknown risk level %q (want low|medium|high|critical)", s)
	}
	return l, nil
}

// Reaches reports whether l is at least threshold.
func (l Level) Reaches(threshold Level) bool { return levelRank[l] >= levelRank[threshold] }

// levelOf returns the level of the highest new or unchanged finding.
func levelOf(fs []Finding) Level {
	best, any := 0.0, false
	for _, f := range fs {
		if f.Status == StatusResolved {
			continue
		}
		if !any || f.Severity > best {
			best, any = f.Severity, true
		}
	}
	if !any {
		return LevelLow
	}
	return LevelOf(best)
}

// Trips reports whether a CI gate at threshold (`--fail-on`) fails: some
// new or unchanged finding has a level at least threshold. A change without
// findings never trips, not even `--fail-on low`, although its level is low.
func Trips(fs []Finding, threshold Level) bool {
	for _, f := range fs {
		if f.Status != StatusResolved && LevelOf(f.Severity).Reaches(threshold) {
			return true
		}
	}
	return false
}

var statusRank = map[Status]int{StatusNew: 0, StatusUnchanged: 1, StatusResolved: 2}

// sortFindings orders findings for stable output: new before unchanged before
// resolved, then by severity (highest first), resource, rule and path.
func sortFindings(fs []Finding) {
	sort.Slice(fs, func(i, j int) bool {
		a, b := fs[i], fs[j]
		if statusRank[a.Status] != statusRank[b.Status] {
			return statusRank[a.Status] < statusRank[b.Status]
		}
		if a.Severity != b.Severity {
			return a.Severity > b.Severity
		}
		if a.Resource != b.Resource {
			return a.Resource < b.Resource
		}
		if a.Rule != b.Rule {
			return a.Rule < b.Rule
		}
		return a.Path < b.Path
	})
}

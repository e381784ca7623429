package rbac

import "fmt"

// Scope is where a binding applies or where an action happens: an
// organization, optionally narrowed to a project and an environment of it.
type Scope struct {
	OrgID         string `json:"organizationId"`
	ProjectID     string `json:"projectId,omitempty"`
	EnvironmentID string `json:"environmentId,omitempty"`
}

// Validate reports a scope that names an environment without a project or
// anything without an organization.
func (s Scope) Validate() error {
	switch {
	case s.OrgID == "":
		return fmt.Errorf("scope has no organization")
	case s.EnvironmentID != "" && s.ProjectID == "":
		return fmt.Errorf("scope names environment %q without its project", s.EnvironmentID)
	}
	return nil
}

// Level names the scope's level: organization, project or environment.
func (s Scope) Level() string {
	switch {
	case s.EnvironmentID != "":
		return "environment"
	case s.ProjectID != "":
		return "project"
	default:
		return "organization"
	}
}

// Covers reports whether a binding at scope s applies to target t: same
// organization, and s is t or an ancestor of t.
func (s Scope) Covers(t Scope) bool {
	if s.OrgID == "" || s.OrgID != t.OrgID {
		return false
	}
	if s.ProjectID != "" && s.ProjectID != t.ProjectID {
		return false
	}
	return s.EnvironmentID == "" || s.EnvironmentID == t.EnvironmentID
}

// Binding grants a role to a subject at a scope. The role is resolved (its
// permissions filled in) by the caller, so custom roles need no lookup here.
type Binding struct {
	Role  Role  `json:"role"`
	Scope Scope `json:"scope"`
}

// Decision is the outcome of Decide, with the reason for the audit log.
type Decision struct {
	Allowed bool
	// By is the binding that granted the permission, when Allowed.
	By *Binding
	// Member reports whether any binding is in the target's organization; a
	// caller answers 404 rather than 403 when it is false, so the existence of
	// another organization's resources does not leak.
	Member bool
	Reason string
}

// Decide reports whether the bindings grant perm at scope target. It is
// deny-by-default: an unknown permission or an invalid target is denied.
func Decide(bindings []Binding, perm Permission, target Scope) Decision {
	if err := target.Validate(); err != nil {
		return Decision{Reason: err.Error()}
	}
	if !perm.Valid() {
		return Decision{Reason: fmt.Sprintf("unknown permission %q", perm)}
	}
	d := Decision{}
	for i := range bindings {
		b := &bindings[i]
		if b.Scope.OrgID == target.OrgID {
			d.Member = true
		}
		if b.Scope.Covers(target) && b.Role.Has(perm) {
			d.Allowed, d.By = true, b
			d.Reason = fmt.Sprintf("role %s at %s scope grants %s", b.Role.Name, b.Scope.Level(), perm)
			return d
		}
	}
	d.Reason = fmt.Sprintf("no binding grants %s at %s scope", perm, target.Level())
	return d
}

// Permissions returns every permission the bindings grant at target, in the
// order of All; the UI uses it to show or hide actions.
func Permissions(bindings []Binding, target Scope) []Permission {
	var out []Permission
	for _, p := range All {
		if Decide(bindings, p, target).Allowed {
			out = append(out, p)
		}
	}
	return out
}

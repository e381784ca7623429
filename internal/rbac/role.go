package rbac

import (
	"fmt"
	"regexp"
	"slices"
)

// Built-in role names.
const (
	Owner     = "owner"
	Admin     = "admin"
	Developer = "developer"
	Viewer    = "viewer"
)

// Role is a named set of permissions.
type Role struct {
	Name        string       `json:"name"`
	Description string       `json:"description,omitempty"`
	Permissions []Permission `json:"permissions"`
	BuiltIn     bool         `json:"builtIn"`
}

// Has reports whether the role grants p.
func (r Role) Has(p Permission) bool { return slices.Contains(r.Permissions, p) }

var viewerPerms = []Permission{
	OrgView, ProjectView, ServiceView, LogsView, MetricsView,
	PromotionPreview, ClusterView,
}

var developerPerms = append(slices.Clone(viewerPerms),
	ProjectCreate, DeployDev, DeployStaging, ServiceManage, ServiceScale,
	AlertsManage, SecretsRead,
	WebhookView, NotificationView, // outbound
)

func without(ps []Permission, drop ...Permission) []Permission {
	return slices.DeleteFunc(slices.Clone(ps), func(p Permission) bool { return slices.Contains(drop, p) })
}

var builtIn = map[string]Role{
	Owner:     {Name: Owner, Description: "Full control, including billing", Permissions: slices.Clone(All), BuiltIn: true},
	Admin:     {Name: Admin, Description: "Everything except billing", Permissions: without(All, OrgBilling, BillingManage), BuiltIn: true},
	Developer: {Name: Developer, Description: "Build, deploy to dev and staging, operate services", Permissions: developerPerms, BuiltIn: true},
	Viewer:    {Name: Viewer, Description: "Read-only access", Permissions: viewerPerms, BuiltIn: true},
}

// BuiltInRoles returns the built-in roles, most privileged first.
func BuiltInRoles() []Role {
	return []Role{BuiltIn(Owner), BuiltIn(Admin), BuiltIn(Developer), BuiltIn(Viewer)}
}

// BuiltIn returns the built-in role of that name, or a zero Role.
func BuiltIn(name string) Role {
	r := builtIn[name]
	r.Permissions = slices.Clone(r.Permissions)
	return r
}

// IsBuiltIn reports whether name is a built-in role.
func IsBuiltIn(name string) bool { _, ok := builtIn[name]; return ok }

var roleName = regexp.MustCompile(`^[a-z][a-z0-9-]{0,62}$`)

// ValidateCustom checks a custom role: a lowercase name that is not a
// built-in one and at least one known permission, each listed once.
func ValidateCustom(r Role) error {
	if !roleName.MatchString(r.Name) {
		return fmt.Errorf("role name %q must be lowercase letters, digits and '-', starting with a letter", r.Name)
	}
	if IsBuiltIn(r.Name) {
		return fmt.Errorf("role name %q is reserved for a built-in role", r.Name)
	}
	if len(r.Permissions) == 0 {
		return fmt.Errorf("role %q has no permissions", r.Name)
	}
	seen := map[Permission]bool{}
	for _, p := range r.Permissions {
		if !p.Valid() {
			return fmt.Errorf("role %q: unknown permission %q", r.Name, p)
		}
		if seen[p] {
			return fmt.Errorf("role %q: permission %q listed twice", r.Name, p)
		}
		seen[p] = true
	}
	return nil
}

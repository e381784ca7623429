package httpapi

import (
	"github.com/usecapsule/capsule/internal/rbac"
)

// deployByEnvironment marks route permissions whose RBAC permission depends
// on the target environment's kind (deploy:dev, deploy:staging or
// deploy:production; see rbac.DeployPermission).
const deployByEnvironment rbac.Permission = "deploy:<environment kind>"

// anyUser marks route permissions every signed-in user holds (creating an
// organization makes the caller its owner, so it needs no prior role).
const anyUser rbac.Permission = ""

// installationAdmin marks routes about the whole installation rather than
// one organization (the installation's audit chain and its checkpoints):
// only installation admins pass, see requireInstallationAdmin.
const installationAdmin rbac.Permission = "installation:admin"

// routePermissions maps the permission names of the route table to the RBAC
// matrix. Routes may also name an RBAC permission directly (e.g.
// "secrets:read"); permissionOf accepts both. A route table entry whose
// permission is in neither fails the RBAC test, so a new route cannot go
// unenforced by accident.
//
// Decisions: editing a project needs project:create (whoever may create one
// may rename it); environments are infrastructure, so creating, changing or
// deleting one needs project:delete (admins and owners); deleting an
// organization needs org:manage. Clusters are viewed with cluster:view
// (every role) and registered, changed, deleted and given credentials with
// cluster:manage (owners and admins).
var routePermissions = map[string]rbac.Permission{
	"organization:view":   rbac.OrgView,
	"organization:create": anyUser,
	"organization:edit":   rbac.OrgManage,
	"organization:delete": rbac.OrgManage,
	"project:edit":        rbac.ProjectCreate,
	"environment:view":    rbac.ProjectView,
	"environment:create":  rbac.ProjectDelete,
	"environment:edit":    rbac.ProjectDelete,
	"environment:delete":  rbac.ProjectDelete,
	"service:create":      rbac.ServiceManage,
	"service:edit":        rbac.ServiceManage,
	"service:delete":      rbac.ServiceManage,
	"service:deploy":      deployByEnvironment,
	"service:rollback":    deployByEnvironment,
	"deployment:view":     rbac.ServiceView,
	"deployment:cancel":   deployByEnvironment,
	"installation:admin":  installationAdmin,
	"cluster:create":      rbac.ClusterManage,
	"cluster:update":      rbac.ClusterManage,
	"cluster:delete":      rbac.ClusterManage,
	"cluster:credential":  rbac.ClusterManage,
	// Promotions (promo): reading one is reading the project; recording a
	// preview is promotion:preview, approving promotion:approve, both on
	// the target environment.
	"promotion:view":   rbac.ProjectView,
	"promotion:create": rbac.PromotionPreview,
	// Git events: a project's webhook secret is made by those who may
	// create and delete its environments (owners and admins).
	"project:webhook": rbac.ProjectDelete,
}

// permissionOf returns the RBAC permission of a route, and false when the
// route's permission string is unknown.
func permissionOf(rt Route) (rbac.Permission, bool) {
	if rt.Permission == "" {
		return anyUser, true
	}
	if p, ok := routePermissions[rt.Permission]; ok {
		return p, true
	}
	p := rbac.Permission(rt.Permission)
	return p, p.Valid()
}

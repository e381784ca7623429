// Package rbac is Capsule's access-control engine: the permissions of the
// product's access matrix plus those later capabilities need, the built-in
// roles owner, admin, developer and viewer, custom roles, and role bindings
// at organization, project and environment scope.
//
// Design decisions:
//   - A binding applies to its scope and everything below it: an organization
//     binding covers every project and environment of the organization, a
//     project binding every environment of the project. Permissions granted
//     by several bindings add up; there are no deny rules (as in Kubernetes
//     RBAC), so the outcome never depends on binding order.
//   - Deploying needs the permission of the target environment's kind:
//     deploy:dev for development and preview, deploy:staging, deploy:production.
//     Developers hold deploy:dev and deploy:staging, so they deploy to staging
//     and not to production unless an environment-scoped binding grants it.
//   - Owners hold every permission. Admins hold every permission except the
//     two money permissions org:billing and billing:manage (as in Heroku, where
//     only the owner handles billing). Developers build and run services but do
//     not manage the organization, approve promotions, manage secrets or
//     clusters, or read the audit log. Viewers only view.
//   - The package is pure: callers load bindings and custom roles from the
//     store and pass them in.
package rbac

import (
	"fmt"
	"slices"
	"strings"
)

// Permission is an action a role may allow, named resource:verb.
type Permission string

// The permissions of the built-in matrix.
const (
	OrgView          Permission = "org:view"
	OrgManage        Permission = "org:manage"
	OrgBilling       Permission = "org:billing"
	ProjectView      Permission = "project:view"
	ProjectCreate    Permission = "project:create"
	ProjectDelete    Permission = "project:delete"
	DeployDev        Permission = "deploy:dev"
	DeployStaging    Permission = "deploy:staging"
	DeployProduction Permission = "deploy:production"
	ServiceView      Permission = "service:view"
	ServiceManage    Permission = "service:manage"
	ServiceScale     Permission = "service:scale"
	LogsView         Permission = "logs:view"
	MetricsView      Permission = "metrics:view"
	AlertsManage     Permission = "alerts:manage"
)

// The permissions later capabilities need.
const (
	PromotionPreview Permission = "promotion:preview"
	PromotionApprove Permission = "promotion:approve"
	ClusterView      Permission = "cluster:view"
	ClusterManage    Permission = "cluster:manage"
	SecretsRead      Permission = "secrets:read"
	SecretsManage    Permission = "secrets:manage"
	BillingView      Permission = "billing:view"
	BillingManage    Permission = "billing:manage"
	AuditView        Permission = "audit:view"
)

// The permissions of outbound webhooks and notifications: owners and
// admins manage them; developers see them (their delivery logs explain a
// missed alert), viewers do not, because a receiver's URL can itself be a
// credential (a Slack incoming webhook).
const (
	WebhookView        Permission = "webhook:view"
	WebhookManage      Permission = "webhook:manage"
	NotificationView   Permission = "notification:view"
	NotificationManage Permission = "notification:manage"
)

// All lists every permission in a stable order.
var All = []Permission{
	OrgView, OrgManage, OrgBilling,
	ProjectView, ProjectCreate, ProjectDelete,
	DeployDev, DeployStaging, DeployProduction,
	ServiceView, ServiceManage, ServiceScale,
	LogsView, MetricsView, AlertsManage,
	PromotionPreview, PromotionApprove,
	ClusterView, ClusterManage,
	SecretsRead, SecretsManage,
	BillingView, BillingManage,
	AuditView,
	// outbound
	WebhookView, WebhookManage, NotificationView, NotificationManage,
}

// Valid reports whether p is one of All.
func (p Permission) Valid() bool { return slices.Contains(All, p) }

// ParsePermission returns the permission named s or an error naming it.
func ParsePermission(s string) (Permission, error) {
	p := Permission(strings.TrimSpace(s))
	if !p.Valid() {
		return "", fmt.Errorf("unknown permission %q", s)
	}
	return p, nil
}

// Environment kinds, as in the capsule domain package; repeated here so the
// engine does not depend on it.
const (
	envDevelopment = "development"
	envStaging     = "staging"
	envProduction  = "production"
	envPreview     = "preview"
)

// DeployPermission returns the permission needed to deploy to an
// environment of the given kind. An unknown kind needs deploy:production,
// so a mistake fails closed.
func DeployPermission(envKind string) Permission {
	switch envKind {
	case envDevelopment, envPreview:
		return DeployDev
	case envStaging:
		return DeployStaging
	default:
		return DeployProduction
	}
}

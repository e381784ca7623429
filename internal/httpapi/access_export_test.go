package httpapi

import "github.com/usecapsule/capsule/internal/rbac"

// Exported for the black-box access tests.
var (
	PermissionOf        = permissionOf
	DeployByEnvironment = deployByEnvironment
	AnyUser             = anyUser
	InstallationAdmin   = installationAdmin
)

// Ensure the aliases keep their type.
var _ rbac.Permission = DeployByEnvironment

package identitystore

import "github.com/usecapsule/capsule/internal/identity"

// The store is what the HTTP API reaches identity through: each concern's
// interface, checked here so a changed signature fails to compile in this
// package rather than at the API's wiring.
var (
	_ identity.Store           = (*Store)(nil)
	_ identity.RoleStore       = (*Store)(nil)
	_ identity.SecretStore     = (*Store)(nil)
	_ identity.MFAStore        = (*Store)(nil)
	_ identity.APIKeyStore     = (*Store)(nil)
	_ identity.AuditLog        = (*Store)(nil)
	_ identity.SSOStore        = (*Store)(nil)
	_ identity.SignInThrottle  = (*Store)(nil)
	_ identity.InvitationStore = (*Store)(nil)
	_ identity.AuditUnit       = (*AuditUnit)(nil)
)

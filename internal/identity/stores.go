package identity

import (
	"context"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identity/apikey"
	"github.com/usecapsule/capsule/internal/rbac"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// The HTTP API reaches identity and access data through these interfaces,
// one per concern, rather than through the identity store's concrete type:
// a handler states what it needs, and the server wires the store in
// explicitly. identitystore.Store implements all of them.

// RoleStore keeps custom roles and the role bindings that scope a member's
// role to one project or environment.
type RoleStore interface {
	CustomRoles(ctx context.Context, orgID string) (map[string]rbac.Role, error)
	CreateCustomRole(ctx context.Context, orgID string, r rbac.Role, at time.Time) error
	DeleteCustomRole(ctx context.Context, orgID, name string) error
	CreateRoleBinding(ctx context.Context, b *RoleBinding) error
	DeleteRoleBinding(ctx context.Context, orgID, id string) error
	ListRoleBindings(ctx context.Context, orgID, userID string) ([]RoleBinding, error)
	UserRoleBindings(ctx context.Context, userID string) ([]RoleBinding, error)
}

// SecretStore keeps secrets' metadata and their sealed versions.
type SecretStore interface {
	FindSecret(ctx context.Context, id string) (*Secret, error)
	PutSecret(ctx context.Context, sec *Secret, seal SealFunc, now time.Time) error
	SecretVersion(ctx context.Context, id string, version int) (secretbox.Sealed, int, error)
	ListSecrets(ctx context.Context, orgID, projectID, envID string) ([]Secret, error)
	DeleteSecret(ctx context.Context, id string) error
}

// MFAStore keeps each user's TOTP enrolment and recovery codes.
type MFAStore interface {
	FindMFA(ctx context.Context, userID string) (*MFA, error)
	MFAEnabled(ctx context.Context, userID string) (bool, error)
	StartMFA(ctx context.Context, userID string, secret secretbox.Sealed, now time.Time) error
	ConfirmMFA(ctx context.Context, userID string, step int64, recoveryHashes []string, now time.Time) error
	AdvanceMFAStep(ctx context.Context, userID string, step int64) (bool, error)
	RecoveryCodeHashes(ctx context.Context, userID string) ([]string, error)
	UseRecoveryCode(ctx context.Context, userID, hash string) (bool, error)
	DeleteMFA(ctx context.Context, userID string) error
}

// APIKeyStore keeps organizations' API keys.
type APIKeyStore interface {
	CreateAPIKey(ctx context.Context, k *apikey.APIKey) error
	FindAPIKey(ctx context.Context, id string) (*apikey.APIKey, error)
	ListAPIKeys(ctx context.Context, orgID string) ([]apikey.APIKey, error)
	TouchAPIKey(ctx context.Context, id string, at time.Time) error
	RevokeAPIKey(ctx context.Context, orgID, id string, at time.Time) error
}

// AuditLog appends to, reads and verifies the hash-chained audit log and
// its signed checkpoints.
type AuditLog interface {
	AppendAudit(ctx context.Context, e *audit.Entry) error
	WithAuditUnit(ctx context.Context, e audit.Entry) (context.Context, AuditUnit)
	// WithoutAuditUnit returns ctx whose writes carry no audit unit: for
	// bookkeeping a request does beside its audited change.
	WithoutAuditUnit(ctx context.Context) context.Context
	ListAudit(ctx context.Context, f AuditFilter) ([]audit.Entry, error)
	VerifyAudit(ctx context.Context) (audit.Result, error)
	VerifyAuditOrg(ctx context.Context, orgID string) (audit.Result, error)
	WriteCheckpoint(ctx context.Context, at audit.Checkpoint) (audit.Checkpoint, error)
	Checkpoints(ctx context.Context, limit int) ([]audit.Checkpoint, error)
	CheckpointSigner() *audit.Signer
	SetCheckpointSigner(sig *audit.Signer)
}

// SSOStore keeps organizations' OpenID Connect settings and the links from
// an identity provider's subjects to users.
type SSOStore interface {
	FindOIDCConfig(ctx context.Context, orgID string) (*OIDCConfig, error)
	PutOIDCConfig(ctx context.Context, c *OIDCConfig) error
	OIDCUser(ctx context.Context, issuer, subject string) (string, error)
	LinkOIDCUser(ctx context.Context, issuer, subject, userID string) error
}

// SignInThrottle counts failed sign-ins and answers lockouts.
type SignInThrottle interface {
	RecordLoginFailure(ctx context.Context, key string, now time.Time, th Throttle) (time.Time, error)
	ClearLoginFailures(ctx context.Context, key string) error
	LockedUntil(ctx context.Context, key string, now time.Time) (time.Time, error)
}

// InvitationStore keeps invitations to join an organization.
type InvitationStore interface {
	CreateInvitation(ctx context.Context, inv *Invitation) error
	AcceptInvitation(ctx context.Context, tokenHash, email string, now time.Time) (*Invitation, error)
}

// AuditUnit carries one request's audit entry into the request's write
// transactions, so the change and its entry commit together; Committed
// reports the entry that did.
type AuditUnit interface {
	Committed() (audit.Entry, bool)
}

// Store is everything the API needs of identity and access. Its
// writers of roles, bindings, MFA and API keys call the OnAccessChange
// hooks, so the API's access cache drops what they changed at once.
type Store interface {
	RoleStore
	SecretStore
	MFAStore
	APIKeyStore
	AuditLog
	SSOStore
	SignInThrottle
	InvitationStore
	OnAccessChange(fn func())
}

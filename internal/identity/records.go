package identity

import (
	"fmt"
	"time"

	"github.com/usecapsule/capsule/internal/rbac"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// RoleBinding is a stored binding of a user to a role below organization
// scope (the organization-wide role is the membership's).
type RoleBinding struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organizationId"`
	UserID         string    `json:"userId"`
	Role           string    `json:"role"`
	ProjectID      string    `json:"projectId"`
	EnvironmentID  string    `json:"environmentId,omitempty"`
	CreatedBy      string    `json:"createdBy"`
	CreatedAt      time.Time `json:"createdAt"`
}

// Scope returns the binding's scope.
func (b *RoleBinding) Scope() rbac.Scope {
	return rbac.Scope{OrgID: b.OrganizationID, ProjectID: b.ProjectID, EnvironmentID: b.EnvironmentID}
}

// Secret is a named secret's metadata; the value is never part of it.
type Secret struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organizationId"`
	ProjectID      string    `json:"projectId,omitempty"`
	EnvironmentID  string    `json:"environmentId,omitempty"`
	Name           string    `json:"name"`
	CurrentVersion int       `json:"currentVersion"`
	CreatedBy      string    `json:"createdBy"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
}

// Scope returns the secret's RBAC scope.
func (s *Secret) Scope() rbac.Scope {
	return rbac.Scope{OrgID: s.OrganizationID, ProjectID: s.ProjectID, EnvironmentID: s.EnvironmentID}
}

// SecretAAD is the additional data binding a sealed value to its secret and
// version, so a ciphertext copied to another row does not decrypt.
func SecretAAD(id string, version int) []byte {
	return fmt.Appendf(nil, "capsule-secret:%s:v%d", id, version)
}

// SealFunc encrypts the value for the given secret id and version.
type SealFunc func(id string, version int) (secretbox.Sealed, error)

// MFA is a user's TOTP enrolment. The secret is stored envelope-encrypted
// (AAD MFAAAD(userID)); LastStep is the last accepted time step, for replay
// protection.
type MFA struct {
	UserID      string
	Secret      secretbox.Sealed
	ConfirmedAt *time.Time
	LastStep    int64
}

// MFAAAD binds an MFA secret's ciphertext to its user.
func MFAAAD(userID string) []byte { return []byte("capsule-mfa:" + userID) }

// OIDCConfig is an organization's OpenID Connect provider. ClientSecretID
// names the secret (in the secret store) holding the client secret.
type OIDCConfig struct {
	OrganizationID string    `json:"organizationId"`
	Issuer         string    `json:"issuer"`
	ClientID       string    `json:"clientId"`
	ClientSecretID string    `json:"-"`
	DefaultRole    string    `json:"defaultRole"`
	CreatedAt      time.Time `json:"createdAt"`
}

// Invitation invites an email address into an organization with a role.
// Only the SHA-256 of its token is stored.
type Invitation struct {
	ID             string     `json:"id"`
	OrganizationID string     `json:"organizationId"`
	Email          string     `json:"email"`
	Role           string     `json:"role"`
	TokenHash      string     `json:"-"`
	InvitedBy      string     `json:"invitedBy"`
	CreatedAt      time.Time  `json:"createdAt"`
	ExpiresAt      time.Time  `json:"expiresAt"`
	AcceptedAt     *time.Time `json:"acceptedAt,omitempty"`
}

// Throttle is a sign-in failure policy for one key: Free failures within
// the window cost nothing; each further failure makes the key wait twice as
// long as the one before (1 s, 2 s, 4 s, ...), at most MaxDelay.
type Throttle struct {
	Free     int
	MaxDelay time.Duration
}

// The throttles the API applies. Failures count per (account, client
// address), so a guesser elsewhere never delays the account's owner; and
// per client address across all accounts, with a bound generous enough for
// an office behind one NAT, so one address cannot spray many accounts.
var (
	PairThrottle    = Throttle{Free: 3, MaxDelay: 15 * time.Minute}
	AddressThrottle = Throttle{Free: 100, MaxDelay: 15 * time.Minute}
)

// Delay is how long the key waits after its n-th failure (zero while n is
// within the free failures).
func (th Throttle) Delay(n int) time.Duration {
	if n <= th.Free {
		return 0
	}
	d := time.Second
	for i := th.Free + 1; i < n && d < th.MaxDelay; i++ {
		d *= 2
	}
	return min(d, th.MaxDelay)
}

// AuditFilter selects audit entries. Every field is optional; string fields
// match exactly and are always bound as arguments.
type AuditFilter struct {
	OrganizationID string
	ActorID        string
	Action         string // exact, or a prefix when it ends in '*' (e.g. "secret.*")
	TargetID       string
	TargetType     string
	Outcome        string
	From, To       time.Time // [From, To)
	AfterSeq       int64     // cursor: entries with a greater seq
	Limit          int       // default 100, at most 1000
}

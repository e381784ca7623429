package capsule

import (
	"context"
	"net/mail"
	"time"
)

// Built-in organization roles, from most to least privileged.
const (
	RoleOwner     = "owner"
	RoleAdmin     = "admin"
	RoleDeveloper = "developer"
	RoleViewer    = "viewer"
)

// User is a person who signs in to Capsule.
type User struct {
	ID           string     `json:"id"`
	Email        string     `json:"email"`
	Name         string     `json:"name"`
	PasswordHash string     `json:"-"` // an encoded password hash, never the password
	CreatedAt    time.Time  `json:"createdAt"`
	LastLoginAt  *time.Time `json:"lastLoginAt,omitempty"`
	// DisabledAt is set while an administrator has disabled the user: they
	// cannot sign in and their access tokens are refused.
	DisabledAt *time.Time `json:"disabledAt,omitempty"`
}

// Validate checks the user's fields.
func (u *User) Validate() error {
	var v Validation
	if a, err := mail.ParseAddress(u.Email); err != nil || a.Address != u.Email {
		v.Add("email", "%q is not an email address", u.Email)
	}
	v.checkName("name", u.Name)
	return v.Err()
}

// Member is a user's membership of an organization.
type Member struct {
	OrganizationID string    `json:"organizationId"`
	UserID         string    `json:"userId"`
	Role           string    `json:"role"`
	InvitedBy      string    `json:"invitedBy,omitempty"`
	JoinedAt       time.Time `json:"joinedAt"`
}

// UserStore persists users and organization memberships.
type UserStore interface {
	FindUser(ctx context.Context, id string) (*User, error)
	FindUserByEmail(ctx context.Context, email string) (*User, error)
	CreateUser(ctx context.Context, u *User) error
	UpdateUser(ctx context.Context, u *User) error
	TouchUserLogin(ctx context.Context, id string, at time.Time) error
	CountUsers(ctx context.Context) (int, error)
	// ListUsers pages through every user, by ID.
	ListUsers(ctx context.Context, p Page) (List[User], error)
	// SetUserDisabled disables (revoking every session in the same
	// transaction) or re-enables a user.
	SetUserDisabled(ctx context.Context, id string, disabled bool, at time.Time) error
	// DeleteUser deletes a user with their sessions, memberships and the
	// organizations only they belong to; it fails with LAST_OWNER while
	// they are the only owner of an organization with other members.
	DeleteUser(ctx context.Context, id string) error

	AddMember(ctx context.Context, m *Member) error
	FindMember(ctx context.Context, orgID, userID string) (*Member, error)
	ListMembers(ctx context.Context, orgID string, p Page) (List[Member], error)
	ListMemberships(ctx context.Context, userID string) ([]Member, error)
	RemoveMember(ctx context.Context, orgID, userID string) error
}

// Store is everything the control plane persists. Implementations: the
// sqlstore package over SQLite and PostgreSQL.
type Store interface {
	OrganizationStore
	ProjectStore
	EnvironmentStore
	ClusterStore
	ServiceStore
	DeploymentStore
	UserStore
	SessionStore
	PreviewStore
	PromotionStore
	// Ping reports whether the database is reachable and migrated.
	Ping(ctx context.Context) error
	Close() error
}

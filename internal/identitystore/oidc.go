package identitystore

import (
	"context"
	"github.com/usecapsule/capsule/internal/identity"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// OIDCConfig is an organization's OpenID Connect provider (identity.OIDCConfig).
type OIDCConfig = identity.OIDCConfig

// PutOIDCConfig creates or replaces an organization's provider.
func (s *Store) PutOIDCConfig(ctx context.Context, c *OIDCConfig) error {
	// One transaction: the replacement and its audit entry commit together,
	// and a crash between the two statements cannot leave SSO unconfigured.
	err := s.inTx(ctx, func(tx *database.Tx) error {
		if _, err := tx.Exec(ctx, `DELETE FROM oidc_configs WHERE organization_id = ?`, c.OrganizationID); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, `INSERT INTO oidc_configs (organization_id, issuer, client_id, client_secret, default_role, created_at) VALUES (?, ?, ?, ?, ?, ?)`,
			c.OrganizationID, c.Issuer, c.ClientID, c.ClientSecretID, c.DefaultRole, database.TimeOf(c.CreatedAt))
		return err
	})
	if database.IsForeignKeyViolation(err) {
		return capsule.NotFound("organization", c.OrganizationID)
	}
	return database.DomainError(err, nil)
}

// FindOIDCConfig returns an organization's provider (SSO_NOT_CONFIGURED when none).
func (s *Store) FindOIDCConfig(ctx context.Context, orgID string) (*OIDCConfig, error) {
	notFound := capsule.Errorf(capsule.KindNotFound, capsule.CodeSSONotConfigured, "single sign-on is not configured for organization %q", orgID)
	if !database.IsID(orgID) {
		return nil, notFound
	}
	var c OIDCConfig
	var at database.Time
	err := s.queryRow(ctx, `SELECT organization_id, issuer, client_id, client_secret, default_role, created_at FROM oidc_configs WHERE organization_id = ?`, orgID).
		Scan(&c.OrganizationID, &c.Issuer, &c.ClientID, &c.ClientSecretID, &c.DefaultRole, &at)
	c.CreatedAt = at.Time
	return &c, database.DomainError(err, notFound)
}

// OIDCUser returns the user linked to an issuer's subject, or "" when none.
func (s *Store) OIDCUser(ctx context.Context, issuer, subject string) (string, error) {
	var uid string
	err := s.queryRow(ctx, `SELECT user_id FROM oidc_identities WHERE issuer = ? AND subject = ?`, issuer, subject).Scan(&uid)
	if err != nil {
		if e := database.DomainError(err, capsule.NotFound("identity", subject)); capsule.IsNotFound(e) {
			return "", nil
		}
		return "", database.DomainError(err, nil)
	}
	return uid, nil
}

// LinkOIDCUser links an issuer's subject to a user.
func (s *Store) LinkOIDCUser(ctx context.Context, issuer, subject, userID string) error {
	_, err := s.exec(ctx, `INSERT INTO oidc_identities (issuer, subject, user_id) VALUES (?, ?, ?)`, issuer, subject, userID)
	if database.IsUniqueViolation(err) {
		return capsule.AlreadyExists("identity", "subject", subject)
	}
	return database.DomainError(err, nil)
}

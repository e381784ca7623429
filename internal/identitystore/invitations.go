package identitystore

import (
	"context"
	"database/sql"
	"errors"
	"github.com/usecapsule/capsule/internal/identity"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// Invitation invites an email address into an organization (identity.Invitation).
type Invitation = identity.Invitation

// CreateInvitation stores inv, assigning ID; the email is kept lower-cased.
func (s *Store) CreateInvitation(ctx context.Context, inv *Invitation) error {
	inv.ID = database.NewID()
	database.NoteTarget(ctx, inv.ID)
	inv.Email = strings.ToLower(strings.TrimSpace(inv.Email))
	_, err := s.exec(ctx, `INSERT INTO invitations (id, organization_id, email_key, role, token_hash, invited_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, inv.ID, inv.OrganizationID, inv.Email, inv.Role, inv.TokenHash, inv.InvitedBy,
		database.TimeOf(inv.CreatedAt), database.TimeOf(inv.ExpiresAt))
	if database.IsForeignKeyViolation(err) {
		return capsule.NotFound("organization", inv.OrganizationID)
	}
	return database.DomainError(err, nil)
}

// AcceptInvitation marks the invitation with this token hash accepted by
// email at now and returns it. An unknown, expired, used or someone else's
// invitation is INVITATION_INVALID (one error, so tokens cannot be probed).
func (s *Store) AcceptInvitation(ctx context.Context, tokenHash, email string, now time.Time) (*Invitation, error) {
	invalid := capsule.Errorf(capsule.KindNotFound, capsule.CodeInvitationInvalid, "the invitation is unknown, expired, already used or for another email")
	var inv Invitation
	err := s.inTx(ctx, func(tx *database.Tx) error {
		var created, expires, accepted database.Time
		err := tx.QueryRow(ctx, `SELECT id, organization_id, email_key, role, invited_by, created_at, expires_at, accepted_at
			FROM invitations WHERE token_hash = ?`, tokenHash).
			Scan(&inv.ID, &inv.OrganizationID, &inv.Email, &inv.Role, &inv.InvitedBy, &created, &expires, &accepted)
		if errors.Is(err, sql.ErrNoRows) {
			return invalid
		}
		if err != nil {
			return err
		}
		inv.CreatedAt, inv.ExpiresAt = created.Time, expires.Time
		if accepted.Valid || !now.Before(inv.ExpiresAt) || inv.Email != strings.ToLower(strings.TrimSpace(email)) {
			return invalid
		}
		inv.AcceptedAt = &now
		_, err = tx.Exec(ctx, `UPDATE invitations SET accepted_at = ? WHERE id = ? AND accepted_at IS NULL`, database.TimeOf(now), inv.ID)
		return err
	})
	return &inv, database.DomainError(err, nil)
}

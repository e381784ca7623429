package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"strings"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// ListUsers pages through every user, ordered by ID.
func (s *Store) ListUsers(ctx context.Context, p capsule.Page) (capsule.List[capsule.User], error) {
	spec := listSpec{from: "SELECT " + userColumns + " FROM users", key: "id", isIDKey: true}
	return list(ctx, s.db, spec, conds{}, p, func(r rowScanner) (capsule.User, string, error) {
		u, err := scanUser(r)
		if err != nil {
			return capsule.User{}, "", err
		}
		return *u, u.ID, nil
	})
}

// SetUserDisabled disables or re-enables a user. Disabling revokes every
// session of the user in the same transaction, so no refresh token outlives
// the decision; re-enabling restores nothing (the user signs in again).
func (s *Store) SetUserDisabled(ctx context.Context, id string, disabled bool, at time.Time) error {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return capsule.NotFound("user", id)
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		q, args := "UPDATE users SET disabled_at = NULL WHERE id = ?", []any{cid}
		if disabled {
			// COALESCE keeps the first disable time when disabling twice.
			q, args = "UPDATE users SET disabled_at = COALESCE(disabled_at, ?) WHERE id = ?", []any{database.TimeOf(database.Stored(at)), cid}
		}
		res, err := tx.Exec(ctx, q, args...)
		if err := mustAffect(res, err, capsule.NotFound("user", id)); err != nil || !disabled {
			return err
		}
		return revokeUserSessions(ctx, tx, cid)
	})
	return database.DomainError(err, nil)
}

// DeleteUser deletes a user; their sessions, memberships and identity rows
// go with them (ON DELETE CASCADE), and so do the organizations they are
// the only member of (the home organization every user gets). An
// organization they are the only owner of but that has other members would
// be left with nobody able to manage it: that is refused with LAST_OWNER.
func (s *Store) DeleteUser(ctx context.Context, id string) error {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return capsule.NotFound("user", id)
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		var org string
		err := tx.QueryRow(ctx, `SELECT m.organization_id FROM organization_members m
			WHERE m.user_id = ? AND m.role = 'owner'
			AND NOT EXISTS (SELECT 1 FROM organization_members o WHERE o.organization_id = m.organization_id AND o.role = 'owner' AND o.user_id <> m.user_id)
			AND EXISTS (SELECT 1 FROM organization_members o WHERE o.organization_id = m.organization_id AND o.user_id <> m.user_id)
			LIMIT 1`, cid).Scan(&org)
		if err == nil {
			return &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeLastOwner,
				Message: "the user is the only owner of organization " + org + ", which has other members; make one of them an owner first",
				Details: map[string]any{"organizationId": org}}
		}
		if !errors.Is(err, sql.ErrNoRows) {
			return err
		}
		if _, err := tx.Exec(ctx, `DELETE FROM organizations WHERE id IN (SELECT m.organization_id FROM organization_members m
			WHERE m.user_id = ? AND NOT EXISTS (SELECT 1 FROM organization_members o WHERE o.organization_id = m.organization_id AND o.user_id <> m.user_id))`, cid); err != nil {
			return err
		}
		res, err := tx.Exec(ctx, "DELETE FROM users WHERE id = ?", cid)
		return mustAffect(res, err, capsule.NotFound("user", id))
	})
	return database.DomainError(err, nil)
}

// RevokeUserSessions revokes every session of a user.
func (s *Store) RevokeUserSessions(ctx context.Context, userID string) error {
	cid, ok := database.CanonicalID(userID)
	if !ok {
		return capsule.NotFound("user", userID)
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error { return revokeUserSessions(ctx, tx, cid) })
	return database.DomainError(err, nil)
}

func revokeUserSessions(ctx context.Context, tx *database.Tx, userID string) error {
	_, err := tx.Exec(ctx, "UPDATE sessions SET revoked_at = ? WHERE user_id = ? AND revoked_at IS NULL",
		database.TimeOf(database.Now()), userID)
	return err
}

// SessionLive reports whether the family has a usable head session (not
// revoked, not replaced, not expired) of userID, whose user exists and is
// enabled. One indexed read: the access layer asks it for every access
// token it accepts (through a short cache).
func (s *Store) SessionLive(ctx context.Context, familyID, userID string, now time.Time) (bool, error) {
	uid, ok := database.CanonicalID(userID)
	if !ok || !database.ValidText(familyID) {
		return false, nil
	}
	rows, err := s.db.Query(ctx, `SELECT s.expires_at FROM sessions s JOIN users u ON u.id = s.user_id
		WHERE s.family_id = ? AND s.user_id = ? AND s.revoked_at IS NULL AND s.replaced_by = '' AND u.disabled_at IS NULL`, familyID, uid)
	if err != nil {
		return false, capsule.Internal(err)
	}
	defer rows.Close()
	live := false
	for rows.Next() {
		var exp database.Time
		if err := rows.Scan(&exp); err != nil {
			return false, capsule.Internal(err)
		}
		live = live || now.Before(exp.Time)
	}
	return live, database.DomainError(rows.Err(), nil)
}

// ListLiveSessions returns each usable sign-in of userID, newest first.
func (s *Store) ListLiveSessions(ctx context.Context, userID string, now time.Time) ([]capsule.LiveSession, error) {
	uid, ok := database.CanonicalID(userID)
	if !ok {
		return nil, capsule.NotFound("user", userID)
	}
	cols := "s." + strings.ReplaceAll(sessionColumns, ", ", ", s.")
	rows, err := s.db.Query(ctx, `SELECT `+cols+`, (SELECT MIN(f.created_at) FROM sessions f WHERE f.family_id = s.family_id)
		FROM sessions s WHERE s.user_id = ? AND s.revoked_at IS NULL AND s.replaced_by = '' AND s.expires_at > ?
		ORDER BY s.created_at DESC, s.id DESC`, uid, database.TimeOf(now))
	if err != nil {
		return nil, capsule.Internal(err)
	}
	defer rows.Close()
	out := []capsule.LiveSession{}
	for rows.Next() {
		var (
			ls                                capsule.LiveSession
			created, expires, revoked, signed database.Time
		)
		ss := &ls.Session
		if err := rows.Scan(&ss.ID, &ss.UserID, &ss.FamilyID, &ss.TokenHash, &ss.UserAgent, &ss.IP, &created, &expires, &revoked, &ss.ReplacedBy, &signed); err != nil {
			return nil, capsule.Internal(err)
		}
		ss.CreatedAt, ss.ExpiresAt, ss.RevokedAt, ls.SignedInAt = created.Time, expires.Time, revoked.Ptr(), signed.Time
		out = append(out, ls)
	}
	return out, database.DomainError(rows.Err(), nil)
}

// RevokeUserSessionFamily revokes one sign-in of userID. A family with no
// session of that user is NOT_FOUND; revoking twice is not an error.
func (s *Store) RevokeUserSessionFamily(ctx context.Context, userID, familyID string) error {
	uid, ok := database.CanonicalID(userID)
	if !ok || !database.ValidText(familyID) {
		return errSessionNotFound()
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		var n int
		if err := tx.QueryRow(ctx, "SELECT COUNT(*) FROM sessions WHERE family_id = ? AND user_id = ?", familyID, uid).Scan(&n); err != nil {
			return err
		}
		if n == 0 {
			return errSessionNotFound()
		}
		_, err := tx.Exec(ctx, "UPDATE sessions SET revoked_at = ? WHERE family_id = ? AND revoked_at IS NULL",
			database.TimeOf(database.Now()), familyID)
		return err
	})
	return database.DomainError(err, nil)
}

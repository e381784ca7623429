package sqlstore

import (
	"context"
	"database/sql"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

const memberColumns = "organization_id, user_id, role, invited_by, joined_at"

func scanMember(r rowScanner) (*capsule.Member, error) {
	var (
		m       capsule.Member
		invited sql.NullString
		joined  database.Time
	)
	if err := r.Scan(&m.OrganizationID, &m.UserID, &m.Role, &invited, &joined); err != nil {
		return nil, err
	}
	m.InvitedBy, m.JoinedAt = invited.String, joined.Time
	return &m, nil
}

func validateRole(role string) error {
	switch role {
	case capsule.RoleOwner, capsule.RoleAdmin, capsule.RoleDeveloper, capsule.RoleViewer:
		return nil
	}
	var v capsule.Validation
	v.Add("role", "%q is not one of owner, admin, developer, viewer", role)
	return v.Err()
}

// insertMember adds m in tx; the organization and the user must exist.
func insertMember(ctx context.Context, tx *database.Tx, m *capsule.Member) error {
	for _, parent := range []struct{ table, entity, id string }{
		{"organizations", "organization", m.OrganizationID}, {"users", "user", m.UserID},
	} {
		// Checked first: a failed statement aborts a PostgreSQL transaction,
		// and SQLite's foreign-key error does not say which parent is missing.
		ok, err := exists(ctx, tx, parent.table, parent.id)
		if err != nil {
			return err
		}
		if !ok {
			return capsule.NotFound(parent.entity, parent.id)
		}
	}
	var invited any
	if m.InvitedBy != "" {
		invited = m.InvitedBy
	}
	_, err := tx.Exec(ctx, "INSERT INTO organization_members ("+memberColumns+") VALUES (?, ?, ?, ?, ?)",
		m.OrganizationID, m.UserID, m.Role, invited, database.TimeOf(m.JoinedAt))
	switch {
	case database.IsUniqueViolation(err):
		return capsule.AlreadyExists("member", "userId", m.UserID)
	case database.IsForeignKeyViolation(err):
		return capsule.NotFound("user", m.InvitedBy) // the inviter is the only parent not checked above
	}
	return err
}

// AddMember makes a user a member of an organization with a role.
func (s *Store) AddMember(ctx context.Context, m *capsule.Member) error {
	if err := validateRole(m.Role); err != nil {
		return err
	}
	n := *m
	var ok bool
	if n.OrganizationID, ok = database.CanonicalID(m.OrganizationID); !ok {
		return capsule.NotFound("organization", m.OrganizationID)
	}
	if n.UserID, ok = database.CanonicalID(m.UserID); !ok {
		return capsule.NotFound("user", m.UserID)
	}
	if m.InvitedBy != "" {
		if n.InvitedBy, ok = database.CanonicalID(m.InvitedBy); !ok {
			return capsule.NotFound("user", m.InvitedBy)
		}
	}
	if n.JoinedAt.IsZero() {
		n.JoinedAt = database.Now()
	}
	n.JoinedAt = database.Stored(n.JoinedAt)
	err := s.db.InTx(ctx, func(tx *database.Tx) error { return insertMember(ctx, tx, &n) })
	if err != nil {
		return database.DomainError(err, nil)
	}
	*m = n
	return nil
}

func memberNotFound(orgID, userID string) *capsule.Error {
	e := capsule.NotFound("member", userID)
	e.Message = "user " + userID + " is not a member of organization " + orgID
	return e
}

// FindMember returns the membership of userID in orgID.
func (s *Store) FindMember(ctx context.Context, orgID, userID string) (*capsule.Member, error) {
	oid, ok1 := database.CanonicalID(orgID)
	uid, ok2 := database.CanonicalID(userID)
	if !ok1 || !ok2 {
		return nil, memberNotFound(orgID, userID)
	}
	m, err := scanMember(s.db.QueryRow(ctx, "SELECT "+memberColumns+" FROM organization_members WHERE organization_id = ? AND user_id = ?", oid, uid))
	return m, database.DomainError(err, memberNotFound(orgID, userID))
}

// ListMembers returns an organization's members ordered by user.
func (s *Store) ListMembers(ctx context.Context, orgID string, p capsule.Page) (capsule.List[capsule.Member], error) {
	var c conds
	c.addID("organization_id = ?", orgID)
	spec := listSpec{from: "SELECT " + memberColumns + " FROM organization_members", key: "user_id", isIDKey: true}
	return list(ctx, s.db, spec, c, p, func(r rowScanner) (capsule.Member, string, error) {
		m, err := scanMember(r)
		if err != nil {
			return capsule.Member{}, "", err
		}
		return *m, m.UserID, nil
	})
}

// ListMemberships returns every membership of a user.
func (s *Store) ListMemberships(ctx context.Context, userID string) ([]capsule.Member, error) {
	uid, ok := database.CanonicalID(userID)
	if !ok {
		return []capsule.Member{}, nil
	}
	rows, err := s.db.Query(ctx, "SELECT "+memberColumns+" FROM organization_members WHERE user_id = ? ORDER BY organization_id", uid)
	if err != nil {
		return nil, capsule.Internal(err)
	}
	defer rows.Close()
	out := []capsule.Member{}
	for rows.Next() {
		m, err := scanMember(rows)
		if err != nil {
			return nil, capsule.Internal(err)
		}
		out = append(out, *m)
	}
	return out, database.DomainError(rows.Err(), nil)
}

// RemoveMember ends a membership.
func (s *Store) RemoveMember(ctx context.Context, orgID, userID string) error {
	oid, ok1 := database.CanonicalID(orgID)
	uid, ok2 := database.CanonicalID(userID)
	if !ok1 || !ok2 {
		return memberNotFound(orgID, userID)
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, "DELETE FROM organization_members WHERE organization_id = ? AND user_id = ?", oid, uid)
		return mustAffect(res, err, memberNotFound(orgID, userID))
	})
	return database.DomainError(err, nil)
}

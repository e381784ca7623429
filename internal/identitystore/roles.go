package identitystore

import (
	"context"
	"encoding/json"
	"github.com/usecapsule/capsule/internal/identity"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/rbac"
)

// RoleBinding is a user's role below organization scope (identity.RoleBinding).
type RoleBinding = identity.RoleBinding

// CreateRoleBinding stores b, assigning ID.
func (s *Store) CreateRoleBinding(ctx context.Context, b *RoleBinding) error {
	defer s.accessChanged()
	b.ID = database.NewID()
	database.NoteTarget(ctx, b.ID)
	var env any
	if b.EnvironmentID != "" {
		env = b.EnvironmentID
	}
	_, err := s.exec(ctx, `INSERT INTO role_bindings (id, organization_id, user_id, role, project_id, environment_id, created_by, created_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?)`, b.ID, b.OrganizationID, b.UserID, b.Role, b.ProjectID, env, b.CreatedBy, database.TimeOf(b.CreatedAt))
	if database.IsForeignKeyViolation(err) {
		return capsule.Errorf(capsule.KindNotFound, capsule.CodeScopeNotFound, "the user, project or environment of the binding does not exist")
	}
	return database.DomainError(err, nil)
}

// ListRoleBindings returns the bindings of an organization, or of one user
// in it when userID is set.
func (s *Store) ListRoleBindings(ctx context.Context, orgID, userID string) ([]RoleBinding, error) {
	if !database.IsID(orgID) || (userID != "" && !database.IsID(userID)) {
		return []RoleBinding{}, nil
	}
	q := `SELECT id, organization_id, user_id, role, project_id, COALESCE(CAST(environment_id AS TEXT), ''), created_by, created_at FROM role_bindings WHERE organization_id = ?`
	args := []any{orgID}
	if userID != "" {
		q += ` AND user_id = ?`
		args = append(args, userID)
	}
	return s.scanBindings(ctx, q+` ORDER BY id`, args...)
}

// UserRoleBindings returns every binding of a user across organizations.
func (s *Store) UserRoleBindings(ctx context.Context, userID string) ([]RoleBinding, error) {
	if !database.IsID(userID) {
		return []RoleBinding{}, nil
	}
	return s.scanBindings(ctx, `SELECT id, organization_id, user_id, role, project_id, COALESCE(CAST(environment_id AS TEXT), ''), created_by, created_at
		FROM role_bindings WHERE user_id = ? ORDER BY id`, userID)
}

func (s *Store) scanBindings(ctx context.Context, q string, args ...any) ([]RoleBinding, error) {
	rows, err := s.query(ctx, q, args...)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	out := []RoleBinding{}
	for rows.Next() {
		var b RoleBinding
		var at database.Time
		if err := rows.Scan(&b.ID, &b.OrganizationID, &b.UserID, &b.Role, &b.ProjectID, &b.EnvironmentID, &b.CreatedBy, &at); err != nil {
			return nil, database.DomainError(err, nil)
		}
		b.CreatedAt = at.Time
		out = append(out, b)
	}
	return out, database.DomainError(rows.Err(), nil)
}

// DeleteRoleBinding removes an organization's binding.
func (s *Store) DeleteRoleBinding(ctx context.Context, orgID, id string) error {
	defer s.accessChanged()
	if !database.IsID(orgID) {
		return capsule.NotFound("role binding", id)
	}
	res, err := s.exec(ctx, `DELETE FROM role_bindings WHERE id = ? AND organization_id = ?`, id, orgID)
	if err != nil {
		return database.DomainError(err, nil)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return capsule.NotFound("role binding", id)
	}
	return nil
}

// CreateCustomRole stores an organization's custom role (validated by the caller).
func (s *Store) CreateCustomRole(ctx context.Context, orgID string, r rbac.Role, at time.Time) error {
	defer s.accessChanged()
	perms, err := json.Marshal(r.Permissions)
	if err != nil {
		return capsule.Internal(err)
	}
	_, err = s.exec(ctx, `INSERT INTO custom_roles (organization_id, name, description, permissions, created_at) VALUES (?, ?, ?, ?, ?)`,
		orgID, r.Name, r.Description, string(perms), database.TimeOf(at))
	if database.IsUniqueViolation(err) {
		return capsule.AlreadyExists("role", "name", r.Name)
	}
	if database.IsForeignKeyViolation(err) {
		return capsule.NotFound("organization", orgID)
	}
	return database.DomainError(err, nil)
}

// CustomRoles returns an organization's custom roles by name.
func (s *Store) CustomRoles(ctx context.Context, orgID string) (map[string]rbac.Role, error) {
	out := map[string]rbac.Role{}
	if !database.IsID(orgID) {
		return out, nil
	}
	rows, err := s.query(ctx, `SELECT name, description, permissions FROM custom_roles WHERE organization_id = ? ORDER BY name`, orgID)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		var r rbac.Role
		var perms string
		if err := rows.Scan(&r.Name, &r.Description, &perms); err != nil {
			return nil, database.DomainError(err, nil)
		}
		if err := json.Unmarshal([]byte(perms), &r.Permissions); err != nil {
			return nil, capsule.Internal(err)
		}
		out[r.Name] = r
	}
	return out, database.DomainError(rows.Err(), nil)
}

// DeleteCustomRole removes a custom role; bindings naming it then grant nothing.
func (s *Store) DeleteCustomRole(ctx context.Context, orgID, name string) error {
	defer s.accessChanged()
	if !database.IsID(orgID) {
		return capsule.NotFound("role", name)
	}
	res, err := s.exec(ctx, `DELETE FROM custom_roles WHERE organization_id = ? AND name = ?`, orgID, name)
	if err != nil {
		return database.DomainError(err, nil)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return capsule.NotFound("role", name)
	}
	return nil
}

package identitystore

import (
	"context"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/identity/apikey"
)

const apiKeyCols = `id, organization_id, name, role, COALESCE(CAST(project_id AS TEXT), ''), key_hash, created_by, created_at, expires_at, last_used_at, revoked_at`

// CreateAPIKey stores k; ID and Hash come from apikey.Generate.
func (s *Store) CreateAPIKey(ctx context.Context, k *apikey.APIKey) error {
	defer s.accessChanged()
	var project any
	if k.ProjectID != "" {
		project = k.ProjectID
	}
	database.NoteTarget(ctx, k.ID)
	_, err := s.exec(ctx, `INSERT INTO api_keys (id, organization_id, name, role, project_id, key_hash, created_by, created_at, expires_at)
		VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
		k.ID, k.OrganizationID, k.Name, k.Role, project, k.Hash, k.CreatedBy,
		database.TimeOf(k.CreatedAt), database.NullTimeOf(k.ExpiresAt))
	if database.IsForeignKeyViolation(err) {
		return capsule.NotFound("project", k.ProjectID)
	}
	return database.DomainError(err, nil)
}

func scanAPIKey(r interface{ Scan(...any) error }) (*apikey.APIKey, error) {
	var k apikey.APIKey
	var created, exp, used, revoked database.Time
	if err := r.Scan(&k.ID, &k.OrganizationID, &k.Name, &k.Role, &k.ProjectID, &k.Hash, &k.CreatedBy,
		&created, &exp, &used, &revoked); err != nil {
		return nil, err
	}
	k.CreatedAt, k.ExpiresAt, k.LastUsedAt, k.RevokedAt = created.Time, exp.Ptr(), used.Ptr(), revoked.Ptr()
	return &k, nil
}

// FindAPIKey returns the key with lookup id id.
func (s *Store) FindAPIKey(ctx context.Context, id string) (*apikey.APIKey, error) {
	k, err := scanAPIKey(s.queryRow(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE id = ?`, id))
	return k, database.DomainError(err, capsule.NotFound("API key", id))
}

// ListAPIKeys returns an organization's keys, newest first, revoked ones included.
func (s *Store) ListAPIKeys(ctx context.Context, orgID string) ([]apikey.APIKey, error) {
	if !database.IsID(orgID) {
		return []apikey.APIKey{}, nil
	}
	rows, err := s.query(ctx, `SELECT `+apiKeyCols+` FROM api_keys WHERE organization_id = ? ORDER BY created_at DESC, id`, orgID)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	out := []apikey.APIKey{}
	for rows.Next() {
		k, err := scanAPIKey(rows)
		if err != nil {
			return nil, database.DomainError(err, nil)
		}
		out = append(out, *k)
	}
	return out, database.DomainError(rows.Err(), nil)
}

// RevokeAPIKey marks the organization's key revoked; revoking twice keeps the first time.
func (s *Store) RevokeAPIKey(ctx context.Context, orgID, id string, at time.Time) error {
	defer s.accessChanged()
	if !database.IsID(orgID) {
		return capsule.NotFound("API key", id)
	}
	res, err := s.exec(ctx, `UPDATE api_keys SET revoked_at = COALESCE(revoked_at, ?) WHERE id = ? AND organization_id = ?`,
		database.TimeOf(at), id, orgID)
	if err != nil {
		return database.DomainError(err, nil)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return capsule.NotFound("API key", id)
	}
	return nil
}

// TouchAPIKey records the key's last use. Callers skip it when the stored
// time is recent, so a busy CI key does not write on every request.
func (s *Store) TouchAPIKey(ctx context.Context, id string, at time.Time) error {
	_, err := s.exec(ctx, `UPDATE api_keys SET last_used_at = ? WHERE id = ?`, database.TimeOf(at), id)
	return database.DomainError(err, nil)
}

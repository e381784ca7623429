package identitystore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"github.com/usecapsule/capsule/internal/identity"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// Secret and SealFunc are the identity package's: the records
// belong to the vocabulary the API and this store share.
type (
	Secret   = identity.Secret
	SealFunc = identity.SealFunc
)

const secretCols = `id, organization_id, project_id, environment_id, name, current_version, created_by, created_at, updated_at`

// PutSecret creates sec, or adds a version when a secret of that name
// exists in the same scope. sec is filled from the stored row.
func (s *Store) PutSecret(ctx context.Context, sec *Secret, seal SealFunc, now time.Time) error {
	actor := sec.CreatedBy
	return database.DomainError(s.inTx(ctx, func(tx *database.Tx) error {
		existing, err := scanSecret(tx.QueryRow(ctx, `SELECT `+secretCols+` FROM secrets
			WHERE organization_id = ? AND project_id = ? AND environment_id = ? AND name = ?`,
			sec.OrganizationID, sec.ProjectID, sec.EnvironmentID, sec.Name))
		switch {
		case errors.Is(err, sql.ErrNoRows):
			sec.ID, sec.CurrentVersion, sec.CreatedAt, sec.UpdatedAt = database.NewID(), 1, now, now
			database.NoteTarget(ctx, sec.ID)
			if _, err := tx.Exec(ctx, `INSERT INTO secrets (`+secretCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
				sec.ID, sec.OrganizationID, sec.ProjectID, sec.EnvironmentID, sec.Name, 1, sec.CreatedBy,
				database.TimeOf(now), database.TimeOf(now)); err != nil {
				if database.IsForeignKeyViolation(err) {
					return capsule.NotFound("organization", sec.OrganizationID)
				}
				return err
			}
		case err != nil:
			return err
		default:
			*sec = Secret{ID: existing.ID, OrganizationID: existing.OrganizationID, ProjectID: existing.ProjectID,
				EnvironmentID: existing.EnvironmentID, Name: existing.Name, CurrentVersion: existing.CurrentVersion + 1,
				CreatedBy: existing.CreatedBy, CreatedAt: existing.CreatedAt, UpdatedAt: now}
			if _, err := tx.Exec(ctx, `UPDATE secrets SET current_version = ?, updated_at = ? WHERE id = ?`,
				sec.CurrentVersion, database.TimeOf(now), sec.ID); err != nil {
				return err
			}
		}
		sealed, err := seal(sec.ID, sec.CurrentVersion)
		if err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO secret_versions (secret_id, version, kek_id, wrapped_key, ciphertext, created_by, created_at)
			VALUES (?, ?, ?, ?, ?, ?, ?)`, sec.ID, sec.CurrentVersion, sealed.KEKID, sealed.WrappedKey, sealed.Ciphertext, actor, database.TimeOf(now))
		return err
	}), nil)
}

func scanSecret(r interface{ Scan(...any) error }) (*Secret, error) {
	var sec Secret
	var created, updated database.Time
	if err := r.Scan(&sec.ID, &sec.OrganizationID, &sec.ProjectID, &sec.EnvironmentID, &sec.Name,
		&sec.CurrentVersion, &sec.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	sec.CreatedAt, sec.UpdatedAt = created.Time, updated.Time
	return &sec, nil
}

// FindSecret returns a secret's metadata.
func (s *Store) FindSecret(ctx context.Context, id string) (*Secret, error) {
	sec, err := scanSecret(s.queryRow(ctx, `SELECT `+secretCols+` FROM secrets WHERE id = ?`, id))
	return sec, database.DomainError(err, capsule.NotFound("secret", id))
}

// ListSecrets returns the metadata of the secrets of an organization,
// narrowed to a project and environment when given. Values are never read.
func (s *Store) ListSecrets(ctx context.Context, orgID, projectID, envID string) ([]Secret, error) {
	q := `SELECT ` + secretCols + ` FROM secrets WHERE organization_id = ?`
	args := []any{orgID}
	if projectID != "" {
		q += ` AND project_id = ?`
		args = append(args, projectID)
	}
	if envID != "" {
		q += ` AND environment_id = ?`
		args = append(args, envID)
	}
	if !database.IsID(orgID) {
		return []Secret{}, nil
	}
	rows, err := s.query(ctx, q+` ORDER BY name, project_id, environment_id`, args...)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	out := []Secret{}
	for rows.Next() {
		sec, err := scanSecret(rows)
		if err != nil {
			return nil, database.DomainError(err, nil)
		}
		out = append(out, *sec)
	}
	return out, database.DomainError(rows.Err(), nil)
}

// SecretVersion returns the sealed value of one version (0 = current).
func (s *Store) SecretVersion(ctx context.Context, id string, version int) (secretbox.Sealed, int, error) {
	q := `SELECT v.version, v.kek_id, v.wrapped_key, v.ciphertext FROM secret_versions v JOIN secrets s ON s.id = v.secret_id
		WHERE v.secret_id = ? AND v.version = CASE WHEN ? = 0 THEN s.current_version ELSE ? END`
	var sealed secretbox.Sealed
	var v int
	err := s.queryRow(ctx, q, id, version, version).Scan(&v, &sealed.KEKID, &sealed.WrappedKey, &sealed.Ciphertext)
	return sealed, v, database.DomainError(err, capsule.Errorf(capsule.KindNotFound, capsule.CodeSecretVersionNotFound, "secret %q has no version %d", id, version))
}

// DeleteSecret removes a secret with all its versions.
func (s *Store) DeleteSecret(ctx context.Context, id string) error {
	res, err := s.exec(ctx, `DELETE FROM secrets WHERE id = ?`, id)
	if err != nil {
		return database.DomainError(err, nil)
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return capsule.NotFound("secret", id)
	}
	return nil
}

// RewrapFunc re-encrypts one version's data key under the current master key.
type RewrapFunc func(id string, version int, s secretbox.Sealed) (secretbox.Sealed, error)

// RewrapSecrets re-wraps, in batches, every version whose data key is not
// under currentKEK, and returns how many it changed. Each row is updated on
// its own, conditioned on its old key id, so servers keep reading (with both
// keys loaded) while it runs and a concurrent rotation cannot be undone.
func (s *Store) RewrapSecrets(ctx context.Context, currentKEK string, rewrap RewrapFunc) (int, error) {
	n := 0
	for {
		type row struct {
			id      string
			version int
			sealed  secretbox.Sealed
		}
		rows, err := s.query(ctx, `SELECT secret_id, version, kek_id, wrapped_key, ciphertext FROM secret_versions WHERE kek_id <> ? ORDER BY secret_id, version LIMIT 100`, currentKEK)
		if err != nil {
			return n, database.DomainError(err, nil)
		}
		var batch []row
		for rows.Next() {
			var r row
			if err := rows.Scan(&r.id, &r.version, &r.sealed.KEKID, &r.sealed.WrappedKey, &r.sealed.Ciphertext); err != nil {
				rows.Close()
				return n, database.DomainError(err, nil)
			}
			batch = append(batch, r)
		}
		rows.Close()
		if len(batch) == 0 {
			return n, nil
		}
		for _, r := range batch {
			out, err := rewrap(r.id, r.version, r.sealed)
			if err != nil {
				return n, fmt.Errorf("secret %s version %d: %w", r.id, r.version, err)
			}
			if _, err := s.exec(ctx, `UPDATE secret_versions SET kek_id = ?, wrapped_key = ? WHERE secret_id = ? AND version = ? AND kek_id = ?`,
				out.KEKID, out.WrappedKey, r.id, r.version, r.sealed.KEKID); err != nil {
				return n, database.DomainError(err, nil)
			}
			n++
		}
	}
}

// RewrapAll re-wraps every secret version and MFA secret not under ring's
// current master key; see RewrapSecrets and RewrapMFA.
func (s *Store) RewrapAll(ctx context.Context, ring *secretbox.Keyring) (int, error) {
	n, err := s.RewrapSecrets(ctx, ring.CurrentID(), func(id string, version int, sealed secretbox.Sealed) (secretbox.Sealed, error) {
		return ring.Rewrap(sealed, identity.SecretAAD(id, version))
	})
	if err != nil {
		return n, err
	}
	m, err := s.RewrapMFA(ctx, ring)
	return n + m, err
}

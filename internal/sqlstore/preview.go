package sqlstore

import (
	"context"
	"database/sql"
	"encoding/json"
	"unicode/utf8"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

var _ capsule.PreviewStore = (*Store)(nil)

const previewColumns = "id, organization_id, project_id, risk_level, result, created_by, created_at"

// CreatePreview stores p with a new ID in an existing organization (and
// project, when set). The result is stored as given, byte for byte.
func (s *Store) CreatePreview(ctx context.Context, p *capsule.Preview) error {
	n := *p
	var ok bool
	if n.OrganizationID, ok = database.CanonicalID(p.OrganizationID); !ok {
		return capsule.NotFound("organization", p.OrganizationID)
	}
	var project any // NULL when the preview belongs to no project
	if p.ProjectID != "" {
		if n.ProjectID, ok = database.CanonicalID(p.ProjectID); !ok {
			return capsule.NotFound("project", p.ProjectID)
		}
		project = n.ProjectID
	}
	if !json.Valid(n.Result) || !utf8.Valid(n.Result) || hasNULEscape(n.Result) {
		return capsule.Errorf(capsule.KindInvalid, capsule.CodeValidation, "preview result must be valid JSON text")
	}
	n.ID, n.CreatedAt = database.NewID(), database.Now()
	database.NoteTarget(ctx, n.ID)
	// Through InTx, not a bare Exec, so the request's audit entry commits
	// with the preview.
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO previews ("+previewColumns+") VALUES (?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.OrganizationID, project, n.RiskLevel, string(n.Result), n.CreatedBy, database.TimeOf(n.CreatedAt))
		return err
	})
	if database.IsForeignKeyViolation(err) {
		if project != nil {
			return capsule.NotFound("project", p.ProjectID)
		}
		return capsule.NotFound("organization", p.OrganizationID)
	}
	if err := database.DomainError(err, nil); err != nil {
		return err
	}
	*p = n
	return nil
}

// FindPreview returns the preview with id.
func (s *Store) FindPreview(ctx context.Context, id string) (*capsule.Preview, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("preview", id)
	}
	var (
		p       capsule.Preview
		project sql.NullString
		result  string
		created database.Time
	)
	err := s.db.QueryRow(ctx, "SELECT "+previewColumns+" FROM previews WHERE id = ?", cid).
		Scan(&p.ID, &p.OrganizationID, &project, &p.RiskLevel, &result, &p.CreatedBy, &created)
	if err != nil {
		return nil, database.DomainError(err, capsule.NotFound("preview", id))
	}
	p.ProjectID, p.Result, p.CreatedAt = project.String, json.RawMessage(result), created.Time
	return &p, nil
}

package sqlstore

import (
	"context"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

const projectColumns = "id, organization_id, name, slug, repository_provider, repository_url, repository_branch, settings, version, created_at, updated_at"

func scanProject(r rowScanner) (*capsule.Project, error) {
	var (
		p                capsule.Project
		created, updated database.Time
	)
	err := r.Scan(&p.ID, &p.OrganizationID, &p.Name, &p.Slug, &p.Repository.Provider, &p.Repository.URL,
		&p.Repository.Branch, jsonColumn{&p.Settings}, &p.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	if p.Settings == nil {
		p.Settings = map[string]any{}
	}
	p.CreatedAt, p.UpdatedAt = created.Time, updated.Time
	return &p, nil
}

// FindProject returns the project with id.
func (s *Store) FindProject(ctx context.Context, id string) (*capsule.Project, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("project", id)
	}
	p, err := scanProject(s.db.QueryRow(ctx, "SELECT "+projectColumns+" FROM projects WHERE id = ?", cid))
	return p, database.DomainError(err, capsule.NotFound("project", id))
}

// ListProjects returns projects in creation order.
func (s *Store) ListProjects(ctx context.Context, f capsule.ProjectFilter) (capsule.List[capsule.Project], error) {
	var c conds
	c.addID("organization_id = ?", f.OrganizationID)
	c.addIn("organization_id IN (?)", f.OrganizationIDs)
	if f.Slug != "" {
		c.add("slug = ?", f.Slug)
	}
	spec := listSpec{from: "SELECT " + projectColumns + " FROM projects", key: "id", isIDKey: true}
	return list(ctx, s.db, spec, c, f.Page, func(r rowScanner) (capsule.Project, string, error) {
		p, err := scanProject(r)
		if err != nil {
			return capsule.Project{}, "", err
		}
		return *p, p.ID, nil
	})
}

// CreateProject stores p with a new ID in an existing organization.
func (s *Store) CreateProject(ctx context.Context, p *capsule.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	n := *p
	var ok bool
	if n.OrganizationID, ok = database.CanonicalID(p.OrganizationID); !ok {
		return capsule.NotFound("organization", p.OrganizationID)
	}
	n.ID, n.Version = database.NewID(), 1
	database.NoteTarget(ctx, n.ID)
	n.CreatedAt = database.Now()
	n.UpdatedAt = n.CreatedAt
	settings, err := jsonText(n.Settings)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO projects ("+projectColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.OrganizationID, n.Name, n.Slug, n.Repository.Provider, n.Repository.URL, n.Repository.Branch,
			settings, n.Version, database.TimeOf(n.CreatedAt), database.TimeOf(n.UpdatedAt))
		switch {
		case database.IsUniqueViolation(err):
			return capsule.AlreadyExists("project", "slug", n.Slug)
		case database.IsForeignKeyViolation(err):
			return capsule.NotFound("organization", n.OrganizationID)
		}
		return err
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*p = n
	return nil
}

// UpdateProject writes p when p.Version is current and increments it. The
// organization of a project never changes.
func (s *Store) UpdateProject(ctx context.Context, p *capsule.Project) error {
	if err := p.Validate(); err != nil {
		return err
	}
	id, ok := database.CanonicalID(p.ID)
	if !ok {
		return capsule.NotFound("project", p.ID)
	}
	settings, err := jsonText(p.Settings)
	if err != nil {
		return err
	}
	now := database.Now()
	var (
		created database.Time
		orgID   string
	)
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE projects SET name = ?, slug = ?, repository_provider = ?, repository_url = ?,
			repository_branch = ?, settings = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? RETURNING organization_id, created_at`,
			p.Name, p.Slug, p.Repository.Provider, p.Repository.URL, p.Repository.Branch, settings,
			database.TimeOf(now), id, p.Version).Scan(&orgID, &created)
		return updateError(ctx, tx, err, "projects", "project", id, p.Version, capsule.AlreadyExists("project", "slug", p.Slug))
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	p.ID, p.OrganizationID, p.Version, p.UpdatedAt, p.CreatedAt = id, orgID, p.Version+1, now, created.Time
	return nil
}

// DeleteProject removes the project; ON DELETE CASCADE removes its
// environments, services, revisions and deployments in the same statement.
func (s *Store) DeleteProject(ctx context.Context, id string) error {
	return s.deleteByID(ctx, "projects", "project", id)
}

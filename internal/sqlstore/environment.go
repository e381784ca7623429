package sqlstore

import (
	"context"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

const envColumns = "id, project_id, name, kind, cluster_id, namespace, delivery_mode, approval_policy, git, version, created_at, updated_at, " +
	"branch, preview" // git events

func scanEnvironment(r rowScanner) (*capsule.Environment, error) {
	var (
		e                capsule.Environment
		created, updated database.Time
	)
	err := r.Scan(&e.ID, &e.ProjectID, &e.Name, &e.Kind, &e.ClusterID, &e.Namespace, &e.DeliveryMode,
		jsonColumn{&e.ApprovalPolicy}, jsonColumn{&e.Git}, &e.Version, &created, &updated, &e.Branch, jsonColumn{&e.Preview})
	if err != nil {
		return nil, err
	}
	e.CreatedAt, e.UpdatedAt = created.Time, updated.Time
	return &e, nil
}

// FindEnvironment returns the environment with id.
func (s *Store) FindEnvironment(ctx context.Context, id string) (*capsule.Environment, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("environment", id)
	}
	e, err := scanEnvironment(s.db.QueryRow(ctx, "SELECT "+envColumns+" FROM environments WHERE id = ?", cid))
	return e, database.DomainError(err, capsule.NotFound("environment", id))
}

// ListEnvironments returns environments in creation order.
func (s *Store) ListEnvironments(ctx context.Context, f capsule.EnvironmentFilter) (capsule.List[capsule.Environment], error) {
	var c conds
	c.addID("project_id = ?", f.ProjectID)
	c.addIn("project_id IN (SELECT id FROM projects WHERE organization_id IN (?))", f.OrganizationIDs)
	if f.Kind != "" {
		c.add("kind = ?", f.Kind)
	}
	spec := listSpec{from: "SELECT " + envColumns + " FROM environments", key: "id", isIDKey: true}
	return list(ctx, s.db, spec, c, f.Page, func(r rowScanner) (capsule.Environment, string, error) {
		e, err := scanEnvironment(r)
		if err != nil {
			return capsule.Environment{}, "", err
		}
		return *e, e.ID, nil
	})
}

// CreateEnvironment stores e with a new ID in an existing project.
func (s *Store) CreateEnvironment(ctx context.Context, e *capsule.Environment) error {
	if err := e.Validate(); err != nil {
		return err
	}
	n := *e
	var ok bool
	if n.ProjectID, ok = database.CanonicalID(e.ProjectID); !ok {
		return capsule.NotFound("project", e.ProjectID)
	}
	n.ID, n.Version = database.NewID(), 1
	database.NoteTarget(ctx, n.ID)
	n.CreatedAt = database.Now()
	n.UpdatedAt = n.CreatedAt
	policy, err := jsonText(n.ApprovalPolicy)
	if err != nil {
		return err
	}
	git, err := jsonText(n.Git)
	if err != nil {
		return err
	}
	preview, err := jsonText(n.Preview)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		var err error
		if n.ClusterID, err = checkEnvironmentCluster(ctx, tx, e.ClusterID, n.ProjectID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, "INSERT INTO environments ("+envColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.ProjectID, n.Name, n.Kind, n.ClusterID, n.Namespace, n.DeliveryMode, policy, git, n.Version,
			database.TimeOf(n.CreatedAt), database.TimeOf(n.UpdatedAt), n.Branch, preview)
		switch {
		case database.IsUniqueViolation(err):
			return capsule.AlreadyExists("environment", "name", n.Name)
		case database.IsForeignKeyViolation(err):
			return capsule.NotFound("project", n.ProjectID)
		}
		return err
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*e = n
	return nil
}

// UpdateEnvironment writes e when e.Version is current and increments it.
func (s *Store) UpdateEnvironment(ctx context.Context, e *capsule.Environment) error {
	if err := e.Validate(); err != nil {
		return err
	}
	id, ok := database.CanonicalID(e.ID)
	if !ok {
		return capsule.NotFound("environment", e.ID)
	}
	policy, err := jsonText(e.ApprovalPolicy)
	if err != nil {
		return err
	}
	git, err := jsonText(e.Git)
	if err != nil {
		return err
	}
	preview, err := jsonText(e.Preview)
	if err != nil {
		return err
	}
	now := database.Now()
	var (
		created   database.Time
		projectID string
		clusterID string
	)
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		if e.ClusterID != "" {
			var owner string
			if err := tx.QueryRow(ctx, "SELECT project_id FROM environments WHERE id = ?", id).Scan(&owner); err != nil {
				return database.DomainError(err, capsule.NotFound("environment", e.ID))
			}
			var err error
			if clusterID, err = checkEnvironmentCluster(ctx, tx, e.ClusterID, owner); err != nil {
				return err
			}
		}
		err := tx.QueryRow(ctx, `UPDATE environments SET name = ?, kind = ?, cluster_id = ?, namespace = ?,
			delivery_mode = ?, approval_policy = ?, git = ?, version = version + 1, updated_at = ?, branch = ?, preview = ?
			WHERE id = ? AND version = ? RETURNING project_id, created_at`,
			e.Name, e.Kind, clusterID, e.Namespace, e.DeliveryMode, policy, git, database.TimeOf(now), e.Branch, preview, id, e.Version).
			Scan(&projectID, &created)
		return updateError(ctx, tx, err, "environments", "environment", id, e.Version,
			capsule.AlreadyExists("environment", "name", e.Name))
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	e.ID, e.ProjectID, e.ClusterID, e.Version, e.UpdatedAt, e.CreatedAt = id, projectID, clusterID, e.Version+1, now, created.Time
	return nil
}

// DeleteEnvironment removes the environment and, through ON DELETE CASCADE,
// its deployment records.
func (s *Store) DeleteEnvironment(ctx context.Context, id string) error {
	return s.deleteByID(ctx, "environments", "environment", id)
}

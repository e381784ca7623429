package sqlstore

import (
	"context"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

const serviceColumns = "id, project_id, name, type, source, configuration, status, revision, version, created_at, updated_at"

func scanService(r rowScanner) (*capsule.Service, error) {
	var (
		sv               capsule.Service
		created, updated database.Time
	)
	err := r.Scan(&sv.ID, &sv.ProjectID, &sv.Name, &sv.Type, jsonColumn{&sv.Source}, jsonColumn{&sv.Config},
		&sv.Status, &sv.Revision, &sv.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	sv.CreatedAt, sv.UpdatedAt = created.Time, updated.Time
	return &sv, nil
}

// FindService returns the service with id.
func (s *Store) FindService(ctx context.Context, id string) (*capsule.Service, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("service", id)
	}
	sv, err := scanService(s.db.QueryRow(ctx, "SELECT "+serviceColumns+" FROM services WHERE id = ?", cid))
	return sv, database.DomainError(err, capsule.NotFound("service", id))
}

// ListServices returns services in creation order.
func (s *Store) ListServices(ctx context.Context, f capsule.ServiceFilter) (capsule.List[capsule.Service], error) {
	var c conds
	c.addID("project_id = ?", f.ProjectID)
	c.addIn("project_id IN (SELECT id FROM projects WHERE organization_id IN (?))", f.OrganizationIDs)
	if f.Type != "" {
		c.add("type = ?", f.Type)
	}
	if f.Status != "" {
		c.add("status = ?", f.Status)
	}
	spec := listSpec{from: "SELECT " + serviceColumns + " FROM services", key: "id", isIDKey: true}
	return list(ctx, s.db, spec, c, f.Page, func(r rowScanner) (capsule.Service, string, error) {
		sv, err := scanService(r)
		if err != nil {
			return capsule.Service{}, "", err
		}
		return *sv, sv.ID, nil
	})
}

// CreateService stores sv with a new ID and its revision 1, atomically.
func (s *Store) CreateService(ctx context.Context, sv *capsule.Service, actor string) error {
	if err := sv.Validate(); err != nil {
		return err
	}
	n := *sv
	var ok bool
	if n.ProjectID, ok = database.CanonicalID(sv.ProjectID); !ok {
		return capsule.NotFound("project", sv.ProjectID)
	}
	n.ID, n.Version, n.Revision = database.NewID(), 1, 1
	database.NoteTarget(ctx, n.ID)
	n.CreatedAt = database.Now()
	n.UpdatedAt = n.CreatedAt
	cols, err := serviceJSON(&n)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO services ("+serviceColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.ProjectID, n.Name, n.Type, cols.source, cols.config, n.Status, n.Revision, n.Version,
			database.TimeOf(n.CreatedAt), database.TimeOf(n.UpdatedAt))
		switch {
		case database.IsUniqueViolation(err):
			return capsule.AlreadyExists("service", "name", n.Name)
		case database.IsForeignKeyViolation(err):
			return capsule.NotFound("project", n.ProjectID)
		case err != nil:
			return err
		}
		return insertRevision(ctx, tx, n.ID, n.Revision, cols.snapshot, actor, n.CreatedAt)
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*sv = n
	return nil
}

// UpdateService writes sv when sv.Version is current. When its type, source
// or configuration differ from the stored ones (compared as canonical JSON)
// the next revision is stored in the same transaction.
func (s *Store) UpdateService(ctx context.Context, sv *capsule.Service, actor string) error {
	if err := sv.Validate(); err != nil {
		return err
	}
	id, ok := database.CanonicalID(sv.ID)
	if !ok {
		return capsule.NotFound("service", sv.ID)
	}
	cols, err := serviceJSON(sv)
	if err != nil {
		return err
	}
	now := database.Now()
	var stored *capsule.Service
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		cur, err := scanService(tx.QueryRow(ctx, "SELECT "+serviceColumns+" FROM services WHERE id = ?", id))
		if err != nil {
			return database.DomainError(err, capsule.NotFound("service", sv.ID))
		}
		if cur.Version != sv.Version {
			return capsule.VersionConflict("service", id, sv.Version, cur.Version)
		}
		curCols, err := serviceJSON(cur)
		if err != nil {
			return err
		}
		revision := cur.Revision
		if curCols.snapshot != cols.snapshot {
			revision++
		}
		var created database.Time
		err = tx.QueryRow(ctx, `UPDATE services SET name = ?, type = ?, source = ?, configuration = ?, status = ?,
			revision = ?, version = version + 1, updated_at = ? WHERE id = ? AND version = ? RETURNING created_at`,
			sv.Name, sv.Type, cols.source, cols.config, sv.Status, revision, database.TimeOf(now), id, sv.Version).Scan(&created)
		if err = updateError(ctx, tx, err, "services", "service", id, sv.Version, capsule.AlreadyExists("service", "name", sv.Name)); err != nil {
			return err
		}
		if revision != cur.Revision {
			if err := insertRevision(ctx, tx, id, revision, cols.snapshot, actor, now); err != nil {
				return err
			}
		}
		n := *sv
		n.ID, n.ProjectID, n.Revision, n.Version, n.CreatedAt, n.UpdatedAt = id, cur.ProjectID, revision, sv.Version+1, created.Time, now
		stored = &n
		return nil
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*sv = *stored
	return nil
}

// DeleteService removes the service with its revisions and deployments.
func (s *Store) DeleteService(ctx context.Context, id string) error {
	return s.deleteByID(ctx, "services", "service", id)
}

// serviceColumnsJSON are a service's JSON columns and its revision snapshot.
type serviceColumnsJSON struct{ source, config, snapshot string }

func serviceJSON(sv *capsule.Service) (serviceColumnsJSON, error) {
	var out serviceColumnsJSON
	var err error
	if out.source, err = jsonText(sv.Source); err != nil {
		return out, err
	}
	if out.config, err = jsonText(sv.Config); err != nil {
		return out, err
	}
	// Marshalling the Go structs is canonical (fixed field order, sorted map
	// keys), so equal configurations give equal snapshots in both dialects.
	out.snapshot, err = jsonText(revisionSnapshot{Type: sv.Type, Source: sv.Source, Config: sv.Config})
	return out, err
}

package sqlstore

import (
	"context"
	"database/sql"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// The inbound Git webhook delivery log. Its writes are the log's own: they
// run without the request's audit unit (a delivery is recorded whatever
// happens, and a rejected one changes nothing else).

const hookColumns = "id, provider, delivery_id, event, repository, project_id, received_at, outcome, reason"

var _ capsule.HookDeliveryStore = (*Store)(nil)

func scanHookDelivery(r rowScanner) (*capsule.HookDelivery, error) {
	var (
		d        capsule.HookDelivery
		project  sql.NullString
		received database.Time
	)
	if err := r.Scan(&d.ID, &d.Provider, &d.DeliveryID, &d.Event, &d.Repository, &project, &received, &d.Outcome, &d.Reason); err != nil {
		return nil, err
	}
	d.ProjectID, d.ReceivedAt = project.String, received.Time
	return &d, nil
}

// RecordHookDelivery stores d with a new ID; with a dedupKey already
// stored it stores nothing and reports a duplicate.
func (s *Store) RecordHookDelivery(ctx context.Context, d *capsule.HookDelivery, dedupKey string) (bool, error) {
	ctx = database.WithoutTxHook(ctx)
	n := *d
	n.ID = database.NewID()
	if n.ReceivedAt.IsZero() {
		n.ReceivedAt = database.Now()
	}
	var project, key any
	if n.ProjectID != "" {
		cid, ok := database.CanonicalID(n.ProjectID)
		if !ok {
			return false, capsule.NotFound("project", n.ProjectID)
		}
		project, n.ProjectID = cid, cid
	}
	if dedupKey != "" {
		key = dedupKey
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO git_hook_deliveries ("+hookColumns+", dedup_key) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.Provider, n.DeliveryID, n.Event, n.Repository, project, database.TimeOf(n.ReceivedAt), n.Outcome, n.Reason, key)
		return err
	})
	if database.IsUniqueViolation(err) {
		return true, nil
	}
	if err != nil {
		return false, database.DomainError(err, nil)
	}
	*d = n
	return false, nil
}

// FinishHookDelivery sets a delivery's outcome and reason; release drops
// its dedup key so a redelivery is acted on again.
func (s *Store) FinishHookDelivery(ctx context.Context, id, outcome, reason string, release bool) error {
	ctx = database.WithoutTxHook(ctx)
	q := "UPDATE git_hook_deliveries SET outcome = ?, reason = ? WHERE id = ?"
	if release {
		q = "UPDATE git_hook_deliveries SET outcome = ?, reason = ?, dedup_key = NULL WHERE id = ?"
	}
	return database.DomainError(s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, q, outcome, reason, id)
		return err
	}), nil)
}

// ListHookDeliveries returns a project's deliveries, newest first.
func (s *Store) ListHookDeliveries(ctx context.Context, f capsule.HookDeliveryFilter) (capsule.List[capsule.HookDelivery], error) {
	var c conds
	c.addID("project_id = ?", f.ProjectID)
	spec := listSpec{from: "SELECT " + hookColumns + " FROM git_hook_deliveries", key: "id", desc: true, isIDKey: true}
	return list(ctx, s.db, spec, c, f.Page, func(r rowScanner) (capsule.HookDelivery, string, error) {
		d, err := scanHookDelivery(r)
		if err != nil {
			return capsule.HookDelivery{}, "", err
		}
		return *d, d.ID, nil
	})
}

// ProjectRepositories returns the id, organization and repository URL of
// every project that names a repository: the candidates an inbound
// delivery's repository is matched against.
func (s *Store) ProjectRepositories(ctx context.Context) ([]capsule.Project, error) {
	rows, err := s.db.Query(ctx, "SELECT id, organization_id, slug, repository_provider, repository_url FROM projects WHERE repository_url <> '' ORDER BY id")
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	var out []capsule.Project
	for rows.Next() {
		var p capsule.Project
		if err := rows.Scan(&p.ID, &p.OrganizationID, &p.Slug, &p.Repository.Provider, &p.Repository.URL); err != nil {
			return nil, database.DomainError(err, nil)
		}
		out = append(out, p)
	}
	return out, database.DomainError(rows.Err(), nil)
}

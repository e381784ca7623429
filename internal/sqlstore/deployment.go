package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

const deploymentColumns = "id, service_id, environment_id, revision, version, commit_sha, commit_message, commit_author, " +
	"status, replicas_desired, replicas_running, replicas_ready, message, created_at, completed_at"

// terminalStatuses end a rollout: they set CompletedAt. running is the
// successful end of a rollout, so it completes the deployment too.
var terminalStatuses = []string{capsule.DeploymentRunning, capsule.DeploymentFailed,
	capsule.DeploymentCancelled, capsule.DeploymentRolledBack}

func scanDeployment(r rowScanner) (*capsule.Deployment, error) {
	var (
		d                  capsule.Deployment
		created, completed database.Time
	)
	err := r.Scan(&d.ID, &d.ServiceID, &d.EnvironmentID, &d.Revision, &d.Version, &d.Commit.SHA, &d.Commit.Message,
		&d.Commit.Author, &d.Status, &d.Replicas.Desired, &d.Replicas.Running, &d.Replicas.Ready, &d.Message,
		&created, &completed)
	if err != nil {
		return nil, err
	}
	d.CreatedAt, d.CompletedAt = created.Time, completed.Ptr()
	return &d, nil
}

// FindDeployment returns the deployment with id.
func (s *Store) FindDeployment(ctx context.Context, id string) (*capsule.Deployment, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("deployment", id)
	}
	d, err := scanDeployment(s.db.QueryRow(ctx, "SELECT "+deploymentColumns+" FROM deployments WHERE id = ?", cid))
	return d, database.DomainError(err, capsule.NotFound("deployment", id))
}

// ListDeployments returns deployments newest first.
func (s *Store) ListDeployments(ctx context.Context, f capsule.DeploymentFilter) (capsule.List[capsule.Deployment], error) {
	var c conds
	c.addID("service_id = ?", f.ServiceID)
	c.addID("environment_id = ?", f.EnvironmentID)
	if f.ProjectID != "" {
		c.addID("service_id IN (SELECT id FROM services WHERE project_id = ?)", f.ProjectID)
	}
	c.addIn("service_id IN (SELECT s.id FROM services s JOIN projects p ON p.id = s.project_id WHERE p.organization_id IN (?))",
		f.OrganizationIDs)
	if f.Status != "" {
		c.add("status = ?", f.Status)
	}
	spec := listSpec{from: "SELECT " + deploymentColumns + " FROM deployments", key: "id", desc: true, isIDKey: true}
	return list(ctx, s.db, spec, c, f.Page, func(r rowScanner) (capsule.Deployment, string, error) {
		d, err := scanDeployment(r)
		if err != nil {
			return capsule.Deployment{}, "", err
		}
		return *d, d.ID, nil
	})
}

// CreateDeployment records a deployment of a service to an environment of
// the same project. Revision 0 means the service's current revision.
func (s *Store) CreateDeployment(ctx context.Context, d *capsule.Deployment) error {
	n, err := prepareDeployment(ctx, d)
	if err != nil {
		return err
	}
	n.CompletedAt = database.StoredPtr(d.CompletedAt)
	if slices.Contains(terminalStatuses, n.Status) && n.CompletedAt == nil {
		at := n.CreatedAt
		n.CompletedAt = &at
	}
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		if err := checkDeploymentParents(ctx, tx, &n); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO deployments ("+deploymentColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.ServiceID, n.EnvironmentID, n.Revision, n.Version, n.Commit.SHA, n.Commit.Message, n.Commit.Author,
			n.Status, n.Replicas.Desired, n.Replicas.Running, n.Replicas.Ready, n.Message,
			database.TimeOf(n.CreatedAt), database.NullTimeOf(n.CompletedAt))
		return err
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*d = n
	return nil
}

// checkDeploymentParents checks that the service and environment exist and
// belong to one project, and fills the revision when it is 0.
func checkDeploymentParents(ctx context.Context, tx *database.Tx, d *capsule.Deployment) error {
	var (
		serviceProject, envProject string
		revision                   int
	)
	err := tx.QueryRow(ctx, "SELECT project_id, revision FROM services WHERE id = ?", d.ServiceID).Scan(&serviceProject, &revision)
	if err != nil {
		return database.DomainError(err, capsule.NotFound("service", d.ServiceID))
	}
	err = tx.QueryRow(ctx, "SELECT project_id FROM environments WHERE id = ?", d.EnvironmentID).Scan(&envProject)
	if err != nil {
		return database.DomainError(err, capsule.NotFound("environment", d.EnvironmentID))
	}
	var v capsule.Validation
	if envProject != serviceProject {
		v.Add("environmentId", "environment %s belongs to another project than service %s", d.EnvironmentID, d.ServiceID)
	}
	if d.Revision == 0 {
		d.Revision = revision
	} else if d.Revision < 0 || d.Revision > revision {
		v.Add("revision", "service %s has no revision %d (latest is %d)", d.ServiceID, d.Revision, revision)
	}
	return v.Err()
}

// UpdateDeploymentStatus moves a deployment to status with message. A
// terminal status sets CompletedAt (kept from the first completion); a
// non-terminal one clears it.
func (s *Store) UpdateDeploymentStatus(ctx context.Context, id, status, message string) (*capsule.Deployment, error) {
	if !slices.Contains(capsule.DeploymentStatuses, status) {
		var v capsule.Validation
		v.Add("status", "%q is not a deployment status", status)
		return nil, v.Err()
	}
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("deployment", id)
	}
	completed := database.Time{}
	query := "UPDATE deployments SET status = ?, message = ?, completed_at = ? WHERE id = ? RETURNING " + deploymentColumns
	if slices.Contains(terminalStatuses, status) {
		completed = database.TimeOf(database.Now())
		query = "UPDATE deployments SET status = ?, message = ?, completed_at = COALESCE(completed_at, ?) WHERE id = ? RETURNING " + deploymentColumns
	}
	var d *capsule.Deployment
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		var err error
		d, err = scanDeployment(tx.QueryRow(ctx, query, status, message, completed, cid))
		if errors.Is(err, sql.ErrNoRows) {
			return capsule.NotFound("deployment", id)
		}
		return err
	})
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	return d, nil
}

// prepareDeployment validates a new deployment and gives it its id and
// creation time, with canonical service and environment ids; the audit
// entry committed with it names it.
func prepareDeployment(ctx context.Context, d *capsule.Deployment) (capsule.Deployment, error) {
	if err := d.Validate(); err != nil {
		return capsule.Deployment{}, err
	}
	n := *d
	var ok bool
	if n.ServiceID, ok = database.CanonicalID(d.ServiceID); !ok {
		return n, capsule.NotFound("service", d.ServiceID)
	}
	if n.EnvironmentID, ok = database.CanonicalID(d.EnvironmentID); !ok {
		return n, capsule.NotFound("environment", d.EnvironmentID)
	}
	n.ID, n.CreatedAt, n.CompletedAt = database.NewID(), database.Now(), nil
	database.NoteTarget(ctx, n.ID)
	return n, nil
}

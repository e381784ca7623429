package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"slices"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/jobs"
)

// DeployRun is what a deployment started by the deploy, rollback or scale
// route carries beyond its record: the job running it, what was asked,
// and the rendered objects it applied (JSON), kept so a later rollback can
// put exactly those objects back.
type DeployRun struct {
	DeploymentID   string
	JobID          string
	Action         string // deploy, rollback or scale
	Image          string
	Strategy       string
	Replicas       int
	Namespace      string
	ConfigRevision int    // the service's configuration revision rendered
	Objects        []byte // JSON array of the applied objects; empty until rendered
}

const runColumns = "deployment_id, job_id, action, image, strategy, replicas, namespace, config_revision, objects"

// StartDeployment records d (pending, with the next release number of its
// service in its environment as Revision), run and the job j that carries
// it out, in one transaction: inside an audited request the three commit
// with the audit entry or not at all. j.Subject becomes the deployment's
// id.
func (s *Store) StartDeployment(ctx context.Context, d *capsule.Deployment, run *DeployRun, j *jobs.Job) error {
	n, err := prepareDeployment(ctx, d)
	if err != nil {
		return err
	}
	jb, rn := *j, *run
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		if err := tx.QueryRow(ctx, "SELECT COALESCE(MAX(revision), 0) + 1 FROM deployments WHERE service_id = ? AND environment_id = ?",
			n.ServiceID, n.EnvironmentID).Scan(&n.Revision); err != nil {
			return err
		}
		_, err := tx.Exec(ctx, "INSERT INTO deployments ("+deploymentColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.ServiceID, n.EnvironmentID, n.Revision, n.Version, n.Commit.SHA, n.Commit.Message, n.Commit.Author,
			n.Status, n.Replicas.Desired, n.Replicas.Running, n.Replicas.Ready, n.Message, database.TimeOf(n.CreatedAt), database.Time{})
		if err != nil {
			return err
		}
		jb.Subject = n.ID
		if err := s.Jobs().EnqueueTx(ctx, tx, &jb); err != nil {
			return err
		}
		rn.DeploymentID, rn.JobID = n.ID, jb.ID
		_, err = tx.Exec(ctx, "INSERT INTO deployment_runs ("+runColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)",
			rn.DeploymentID, rn.JobID, rn.Action, rn.Image, rn.Strategy, rn.Replicas, rn.Namespace, rn.ConfigRevision, string(rn.Objects))
		return err
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*d, *j, *run = n, jb, rn
	return nil
}

// FindDeployRun returns the run of deployment id; a deployment recorded
// otherwise has none (NotFound).
func (s *Store) FindDeployRun(ctx context.Context, id string) (*DeployRun, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("deployment", id)
	}
	var (
		r       DeployRun
		objects string
	)
	err := s.db.QueryRow(ctx, "SELECT "+runColumns+" FROM deployment_runs WHERE deployment_id = ?", cid).Scan(
		&r.DeploymentID, &r.JobID, &r.Action, &r.Image, &r.Strategy, &r.Replicas, &r.Namespace, &r.ConfigRevision, &objects)
	if err != nil {
		return nil, database.DomainError(err, capsule.NotFound("deployment", id))
	}
	r.Objects = []byte(objects)
	return &r, nil
}

// SetDeployRunObjects keeps the objects a run rendered and the namespace
// they went to.
func (s *Store) SetDeployRunObjects(ctx context.Context, id, namespace string, objects []byte) error {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return capsule.NotFound("deployment", id)
	}
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "UPDATE deployment_runs SET namespace = ?, objects = ? WHERE deployment_id = ?", namespace, string(objects), cid)
		return err
	})
}

// Release is one deployment whose objects rolled out.
type Release struct {
	DeploymentID string
	Revision     int
}

// Releases lists the deployments of a service in an environment that
// rolled out (status running) and kept their objects, newest release
// first: the first is what runs now, the others are rollback targets.
func (s *Store) Releases(ctx context.Context, serviceID, environmentID string) ([]Release, error) {
	sid, ok1 := database.CanonicalID(serviceID)
	eid, ok2 := database.CanonicalID(environmentID)
	if !ok1 || !ok2 {
		return nil, nil
	}
	rows, err := s.db.Query(ctx, "SELECT d.id, d.revision FROM deployments d JOIN deployment_runs r ON r.deployment_id = d.id "+
		"WHERE d.service_id = ? AND d.environment_id = ? AND d.status = ? AND r.objects <> '' ORDER BY d.revision DESC",
		sid, eid, capsule.DeploymentRunning)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Release
	for rows.Next() {
		var r Release
		if err := rows.Scan(&r.DeploymentID, &r.Revision); err != nil {
			return nil, err
		}
		out = append(out, r)
	}
	return out, rows.Err()
}

// UpdateDeploymentProgress writes a deployment's status, message and pod
// counts, as its job reports them; a terminal status sets CompletedAt.
func (s *Store) UpdateDeploymentProgress(ctx context.Context, id, status, message string, r capsule.Replicas) (*capsule.Deployment, error) {
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
	if slices.Contains(terminalStatuses, status) {
		completed = database.TimeOf(database.Now())
	}
	var d *capsule.Deployment
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		var err error
		d, err = scanDeployment(tx.QueryRow(ctx, "UPDATE deployments SET status = ?, message = ?, replicas_desired = ?, replicas_running = ?, "+
			"replicas_ready = ?, completed_at = COALESCE(completed_at, ?) WHERE id = ? RETURNING "+deploymentColumns,
			status, message, r.Desired, r.Running, r.Ready, completed, cid))
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

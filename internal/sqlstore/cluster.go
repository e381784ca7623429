package sqlstore

import (
	"context"
	"database/sql"
	"errors"
	"fmt"
	"strings"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

const clusterColumns = "id, organization_id, name, cloud_provider, region, metadata, agent_status, credential_secret_id, " +
	"server_version, checked_at, version, created_at, updated_at"

func scanCluster(r rowScanner) (*capsule.Cluster, error) {
	var (
		c                         capsule.Cluster
		checked, created, updated database.Time
	)
	err := r.Scan(&c.ID, &c.OrganizationID, &c.Name, &c.CloudProvider, &c.Region, jsonColumn{&c.Metadata}, &c.AgentStatus,
		&c.CredentialSecretID, &c.ServerVersion, &checked, &c.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	c.CheckedAt, c.CreatedAt, c.UpdatedAt = checked.Ptr(), created.Time, updated.Time
	_ = c.Validate() // derives status and has_credential; stored rows were valid when written
	return &c, nil
}

// FindCluster returns the cluster with id.
func (s *Store) FindCluster(ctx context.Context, id string) (*capsule.Cluster, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("cluster", id)
	}
	c, err := scanCluster(s.db.QueryRow(ctx, "SELECT "+clusterColumns+" FROM clusters WHERE id = ?", cid))
	return c, database.DomainError(err, capsule.NotFound("cluster", id))
}

// ListClusters returns clusters in creation order.
func (s *Store) ListClusters(ctx context.Context, f capsule.ClusterFilter) (capsule.List[capsule.Cluster], error) {
	var c conds
	c.addID("organization_id = ?", f.OrganizationID)
	c.addIn("organization_id IN (?)", f.OrganizationIDs)
	if f.Name != "" {
		c.add("name = ?", f.Name)
	}
	spec := listSpec{from: "SELECT " + clusterColumns + " FROM clusters", key: "id", isIDKey: true}
	return list(ctx, s.db, spec, c, f.Page, func(r rowScanner) (capsule.Cluster, string, error) {
		cl, err := scanCluster(r)
		if err != nil {
			return capsule.Cluster{}, "", err
		}
		return *cl, cl.ID, nil
	})
}

// CreateCluster stores c with a new ID in an existing organization. A
// credential is attached afterwards with SetClusterCredential.
func (s *Store) CreateCluster(ctx context.Context, c *capsule.Cluster) error {
	n := *c
	n.CredentialSecretID, n.ServerVersion, n.CheckedAt, n.AgentStatus = "", "", nil, ""
	if err := n.Validate(); err != nil {
		return err
	}
	var ok bool
	if n.OrganizationID, ok = database.CanonicalID(c.OrganizationID); !ok {
		return capsule.NotFound("organization", c.OrganizationID)
	}
	meta, err := jsonText(n.Metadata)
	if err != nil {
		return err
	}
	n.ID, n.Version = database.NewID(), 1
	database.NoteTarget(ctx, n.ID)
	n.CreatedAt = database.Now()
	n.UpdatedAt = n.CreatedAt
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO clusters ("+clusterColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, NULL, ?, ?, ?)",
			n.ID, n.OrganizationID, n.Name, n.CloudProvider, n.Region, meta, n.AgentStatus, "", "", n.Version,
			database.TimeOf(n.CreatedAt), database.TimeOf(n.UpdatedAt))
		switch {
		case database.IsUniqueViolation(err):
			return capsule.AlreadyExists("cluster", "name", n.Name)
		case database.IsForeignKeyViolation(err):
			return capsule.NotFound("organization", n.OrganizationID)
		}
		return err
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*c = n
	return nil
}

// UpdateCluster writes the descriptive fields when c.Version is current.
func (s *Store) UpdateCluster(ctx context.Context, c *capsule.Cluster) error {
	if err := c.Validate(); err != nil {
		return err
	}
	id, ok := database.CanonicalID(c.ID)
	if !ok {
		return capsule.NotFound("cluster", c.ID)
	}
	meta, err := jsonText(c.Metadata)
	if err != nil {
		return err
	}
	now := database.Now()
	var out *capsule.Cluster
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		var err error
		out, err = scanCluster(tx.QueryRow(ctx, `UPDATE clusters SET name = ?, cloud_provider = ?, region = ?, metadata = ?,
			version = version + 1, updated_at = ? WHERE id = ? AND version = ? RETURNING `+clusterColumns,
			c.Name, c.CloudProvider, c.Region, meta, database.TimeOf(now), id, c.Version))
		return updateError(ctx, tx, err, "clusters", "cluster", id, c.Version, capsule.AlreadyExists("cluster", "name", c.Name))
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*c = *out
	return nil
}

// SetClusterCredential records the cluster's credential secret with the
// server version and time of its check; a zero chk records that the
// cluster has none. It moves the version, as any change of the record.
func (s *Store) SetClusterCredential(ctx context.Context, id string, chk capsule.ClusterCheck) (*capsule.Cluster, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("cluster", id)
	}
	var checked any
	if !chk.CheckedAt.IsZero() {
		checked = database.TimeOf(chk.CheckedAt)
	}
	var out *capsule.Cluster
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		var err error
		out, err = scanCluster(tx.QueryRow(ctx, `UPDATE clusters SET credential_secret_id = ?, server_version = ?, checked_at = ?,
			version = version + 1, updated_at = ? WHERE id = ? RETURNING `+clusterColumns,
			chk.SecretID, chk.ServerVersion, checked, database.TimeOf(database.Now()), cid))
		return err
	})
	return out, database.DomainError(err, capsule.NotFound("cluster", id))
}

// DeleteCluster removes the cluster unless an environment deploys to it:
// the check and the delete share one transaction, so an environment
// created meanwhile either is named or sees the cluster gone.
func (s *Store) DeleteCluster(ctx context.Context, id string) error {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return capsule.NotFound("cluster", id)
	}
	err := s.db.InTx(ctx, func(tx *database.Tx) error {
		rows, err := tx.Query(ctx, `SELECT p.slug, e.name FROM environments e JOIN projects p ON p.id = e.project_id
			WHERE e.cluster_id = ? ORDER BY p.slug, e.name LIMIT 21`, cid)
		if err != nil {
			return err
		}
		var users []string
		for rows.Next() {
			var project, env string
			if err := rows.Scan(&project, &env); err != nil {
				rows.Close()
				return err
			}
			users = append(users, project+"/"+env)
		}
		rows.Close()
		if err := rows.Err(); err != nil {
			return err
		}
		if len(users) > 0 {
			return clusterInUse(id, users)
		}
		res, err := tx.Exec(ctx, "DELETE FROM clusters WHERE id = ?", cid)
		if err := mustAffect(res, err, capsule.NotFound("cluster", id)); err != nil {
			return err
		}
		// The cluster's agents (so their credentials stop working), join
		// tokens, inventory and snapshots go with it (internal/inventory).
		for _, table := range []string{"agents", "agent_join_tokens", "inventory_objects", "cluster_snapshots"} {
			if _, err := tx.Exec(ctx, "DELETE FROM "+table+" WHERE cluster_id = ?", cid); err != nil {
				return err
			}
		}
		return nil
	})
	return database.DomainError(err, nil)
}

func clusterInUse(id string, users []string) error {
	more := ""
	if len(users) > 20 {
		users, more = users[:20], " and more"
	}
	return &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeClusterInUse,
		Message: fmt.Sprintf("cluster %q is the target of environments %s%s: point them at another cluster or delete them first",
			id, strings.Join(users, ", "), more),
		Details: map[string]any{"environments": users}}
}

// checkEnvironmentCluster canonicalizes e's cluster reference and checks,
// inside the environment's write transaction, that it names a cluster of
// the project's organization. Any other id is CLUSTER_NOT_FOUND naming the
// field, as another tenant's cluster must look like no cluster at all.
func checkEnvironmentCluster(ctx context.Context, tx *database.Tx, clusterID, projectID string) (string, error) {
	if clusterID == "" {
		return "", nil
	}
	if !database.ValidText(clusterID) {
		return "", database.InvalidText() // as any text neither database can hold
	}
	nf := capsule.NotFound("cluster", clusterID)
	nf.Message += " in the project's organization"
	nf.Details = map[string]any{"field": "clusterId"}
	cid, ok := database.CanonicalID(clusterID)
	if !ok {
		return "", nf
	}
	var one int
	err := tx.QueryRow(ctx, `SELECT 1 FROM clusters c JOIN projects p ON p.organization_id = c.organization_id
		WHERE c.id = ? AND p.id = ?`, cid, projectID).Scan(&one)
	if errors.Is(err, sql.ErrNoRows) {
		return "", nf
	}
	return cid, err
}

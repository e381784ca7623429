// Package inventorystore persists internal/inventory's agents, join tokens,
// cluster pictures and snapshots in the control plane's database (SQLite or
// PostgreSQL, tables of migration 0170 of internal/sqlstore), writing one
// SQL text per query with `?` placeholders through internal/database.
//
// Design decisions:
//   - Every write runs in database.InTx, so an audit unit carried by the
//     context (registration, offline, online) commits with it.
//   - Replacing a picture deletes the cluster's rows of the snapshot's
//     kinds and inserts the new ones in one transaction; a reader never
//     sees half a snapshot.
//   - Applying deltas is guarded by a compare-and-set on the agent's
//     (session, seq): a writer that raced another fails with
//     inventory.ErrStale instead of applying out of order.
package inventorystore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/inventory"
)

// Store is inventory.Store over one database.
type Store struct {
	db *database.DB
}

var _ inventory.Store = (*Store)(nil)

// Source is what the store needs from internal/sqlstore.
type Source interface {
	Database() *database.DB
}

// New returns the store sharing src's database.
func New(src Source) *Store { return &Store{db: src.Database()} }

const agentColumns = `id, cluster_id, organization_id, credential_hash, hostname, agent_version, cluster_version,
  status, registered_at, last_heartbeat, revoked_at, session, seq`

type scanner interface{ Scan(dest ...any) error }

func scanAgent(r scanner) (*inventory.Agent, error) {
	var a inventory.Agent
	var reg, last, revoked database.Time
	var seq int64
	if err := r.Scan(&a.ID, &a.ClusterID, &a.OrganizationID, &a.CredentialHash, &a.Hostname, &a.AgentVersion, &a.ClusterVersion,
		&a.Status, &reg, &last, &revoked, &a.Session, &seq); err != nil {
		return nil, err
	}
	a.RegisteredAt, a.LastHeartbeat, a.RevokedAt, a.Seq = reg.Time, last.Ptr(), revoked.Ptr(), uint64(seq)
	return &a, nil
}

// CreateJoinToken stores a token's hash.
func (s *Store) CreateJoinToken(ctx context.Context, t inventory.JoinToken) error {
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO agent_join_tokens (token_hash, cluster_id, organization_id, created_by, created_at, expires_at)
VALUES (?, ?, ?, ?, ?, ?)`, t.Hash, t.ClusterID, t.OrganizationID, t.CreatedBy, database.TimeOf(t.CreatedAt), database.TimeOf(t.ExpiresAt))
		return err
	})
}

// RegisterAgent consumes the token and creates the agent, revoking the
// cluster's other agents.
func (s *Store) RegisterAgent(ctx context.Context, tokenHash string, now time.Time, a *inventory.Agent) error {
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE agent_join_tokens SET used_at = ?
WHERE token_hash = ? AND used_at IS NULL AND expires_at > ?
RETURNING cluster_id, organization_id`, database.TimeOf(now), tokenHash, database.TimeOf(now)).Scan(&a.ClusterID, &a.OrganizationID)
		if errors.Is(err, sql.ErrNoRows) {
			return inventory.ErrUnchanged
		}
		if err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, `UPDATE agents SET revoked_at = ?, status = ? WHERE cluster_id = ? AND revoked_at IS NULL`,
			database.TimeOf(now), inventory.StatusRevoked, a.ClusterID); err != nil {
			return err
		}
		_, err = tx.Exec(ctx, `INSERT INTO agents (id, cluster_id, organization_id, credential_hash, hostname, agent_version, cluster_version,
  status, registered_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`, a.ID, a.ClusterID, a.OrganizationID, a.CredentialHash, a.Hostname,
			a.AgentVersion, a.ClusterVersion, a.Status, database.TimeOf(a.RegisteredAt))
		if err != nil {
			return err
		}
		return setClusterStatus(ctx, tx, a.ID, a.Status)
	})
}

// setClusterStatus copies the agent's status onto its cluster's record
// (clusters.agent_status, which cluster lists show). It is derived state,
// so the record's version does not move: a user's update naming the
// version is not refused because a heartbeat came in.
func setClusterStatus(ctx context.Context, tx *database.Tx, agentID, status string) error {
	_, err := tx.Exec(ctx, `UPDATE clusters SET agent_status = ?
WHERE CAST(id AS TEXT) = (SELECT cluster_id FROM agents WHERE id = ?) AND agent_status <> ?`, status, agentID, status)
	return err
}

// GetAgent returns one agent.
func (s *Store) GetAgent(ctx context.Context, id string) (*inventory.Agent, error) {
	a, err := scanAgent(s.db.QueryRow(ctx, `SELECT `+agentColumns+` FROM agents WHERE id = ?`, id))
	if err != nil {
		return nil, database.DomainError(err, capsule.NotFound("agent", id))
	}
	return a, nil
}

// ListAgents lists a cluster's agents, newest first.
func (s *Store) ListAgents(ctx context.Context, clusterID string) ([]inventory.Agent, error) {
	rows, err := s.db.Query(ctx, `SELECT `+agentColumns+` FROM agents WHERE cluster_id = ? ORDER BY registered_at DESC, id DESC`, clusterID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []inventory.Agent{}
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// Heartbeat records a heartbeat.
func (s *Store) Heartbeat(ctx context.Context, id string, at time.Time, agentVersion, clusterVersion string) error {
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE agents SET last_heartbeat = ?, status = ?, agent_version = ?, cluster_version = ?
WHERE id = ? AND revoked_at IS NULL`, database.TimeOf(at), inventory.StatusOnline, agentVersion, clusterVersion, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return capsule.NotFound("agent", id)
		}
		return setClusterStatus(ctx, tx, id, inventory.StatusOnline)
	})
}

// StaleAgents returns online or pending agents silent since before cutoff.
func (s *Store) StaleAgents(ctx context.Context, cutoff time.Time) ([]inventory.Agent, error) {
	rows, err := s.db.Query(ctx, `SELECT `+agentColumns+` FROM agents
WHERE revoked_at IS NULL AND status IN (?, ?) AND COALESCE(last_heartbeat, registered_at) < ? ORDER BY id`,
		inventory.StatusOnline, inventory.StatusPending, database.TimeOf(cutoff))
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []inventory.Agent
	for rows.Next() {
		a, err := scanAgent(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *a)
	}
	return out, rows.Err()
}

// MarkOffline marks one stale agent offline.
func (s *Store) MarkOffline(ctx context.Context, id string, cutoff time.Time) error {
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE agents SET status = ?
WHERE id = ? AND revoked_at IS NULL AND status IN (?, ?) AND COALESCE(last_heartbeat, registered_at) < ?`,
			inventory.StatusOffline, id, inventory.StatusOnline, inventory.StatusPending, database.TimeOf(cutoff))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return inventory.ErrUnchanged
		}
		return setClusterStatus(ctx, tx, id, inventory.StatusOffline)
	})
}

// RevokeAgent revokes an agent's credential.
func (s *Store) RevokeAgent(ctx context.Context, id string, at time.Time) error {
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE agents SET revoked_at = ?, status = ? WHERE id = ? AND revoked_at IS NULL`,
			database.TimeOf(at), inventory.StatusRevoked, id)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return capsule.NotFound("agent", id)
		}
		// Registering a newer agent revoked this one, unless it is the
		// newest: then the cluster has no agent any more.
		_, err = tx.Exec(ctx, `UPDATE clusters SET agent_status = ?
WHERE CAST(id AS TEXT) = (SELECT cluster_id FROM agents WHERE id = ?)
  AND NOT EXISTS (SELECT 1 FROM agents o WHERE o.cluster_id = CAST(clusters.id AS TEXT) AND o.revoked_at IS NULL)`, capsule.AgentNone, id)
		return err
	})
}

func marshalCounts(m map[string]int) string {
	b, _ := json.Marshal(m)
	return string(b)
}

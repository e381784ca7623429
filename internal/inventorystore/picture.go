package inventorystore

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"strings"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/inventory"
)

const upsertObject = `INSERT INTO inventory_objects (cluster_id, kind, namespace, name, uid, resource_version, body)
VALUES (?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (cluster_id, kind, namespace, name) DO UPDATE SET uid = excluded.uid,
  resource_version = excluded.resource_version, body = excluded.body`

// ReplacePicture swaps the cluster's objects of kinds for objs.
func (s *Store) ReplacePicture(ctx context.Context, agentID, clusterID string, kinds []string, objs []agentproto.Object, session string, seq uint64) error {
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE agents SET session = ?, seq = ? WHERE id = ? AND revoked_at IS NULL`, session, int64(seq), agentID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return capsule.NotFound("agent", agentID)
		}
		seen := map[string]bool{}
		for _, k := range kinds {
			seen[k] = true
		}
		for _, o := range objs {
			seen[o.Kind] = true
		}
		for k := range seen {
			if _, err := tx.Exec(ctx, `DELETE FROM inventory_objects WHERE cluster_id = ? AND kind = ?`, clusterID, k); err != nil {
				return err
			}
		}
		return insertObjects(ctx, tx, clusterID, objs)
	})
}

// insertRows is how many objects one INSERT carries: a 5,000-pod snapshot
// is 50 statements, not 5,000 round trips.
const insertRows = 100

// insertObjects inserts objs (the last of two with one key wins).
func insertObjects(ctx context.Context, tx *database.Tx, clusterID string, objs []agentproto.Object) error {
	last := make(map[agentproto.Key]int, len(objs))
	for i, o := range objs {
		last[o.Key()] = i
	}
	row := "(" + database.Placeholders(7) + ")"
	var rows []string
	var args []any
	flush := func() error {
		if len(rows) == 0 {
			return nil
		}
		q := `INSERT INTO inventory_objects (cluster_id, kind, namespace, name, uid, resource_version, body) VALUES ` + strings.Join(rows, ",")
		_, err := tx.Exec(ctx, q, args...)
		rows, args = rows[:0], args[:0]
		return err
	}
	for i, o := range objs {
		if last[o.Key()] != i {
			continue
		}
		rows = append(rows, row)
		args = append(args, clusterID, o.Kind, o.Namespace, o.Name, o.UID, o.ResourceVersion, string(o.Body))
		if len(rows) == insertRows {
			if err := flush(); err != nil {
				return err
			}
		}
	}
	return flush()
}

// ApplyDeltas applies deltas after a compare-and-set on (session, seq).
func (s *Store) ApplyDeltas(ctx context.Context, agentID, clusterID, session string, fromSeq uint64, deltas []agentproto.Delta) error {
	if len(deltas) == 0 {
		return nil
	}
	last := deltas[len(deltas)-1].Seq
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE agents SET seq = ? WHERE id = ? AND session = ? AND seq = ? AND revoked_at IS NULL`,
			int64(last), agentID, session, int64(fromSeq))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return inventory.ErrStale
		}
		for _, d := range deltas {
			o := d.Object
			if d.Op == agentproto.OpDelete {
				_, err = tx.Exec(ctx, `DELETE FROM inventory_objects WHERE cluster_id = ? AND kind = ? AND namespace = ? AND name = ?`,
					clusterID, o.Kind, o.Namespace, o.Name)
			} else {
				_, err = tx.Exec(ctx, upsertObject, clusterID, o.Kind, o.Namespace, o.Name, o.UID, o.ResourceVersion, string(o.Body))
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

// LoadIndex returns every object's uid and resourceVersion.
func (s *Store) LoadIndex(ctx context.Context, clusterID string) (map[string]map[agentproto.Key]agentproto.Meta, error) {
	rows, err := s.db.Query(ctx, `SELECT kind, namespace, name, uid, resource_version FROM inventory_objects WHERE cluster_id = ?`, clusterID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]map[agentproto.Key]agentproto.Meta{}
	for rows.Next() {
		var k agentproto.Key
		var m agentproto.Meta
		if err := rows.Scan(&k.Kind, &k.Namespace, &k.Name, &m.UID, &m.ResourceVersion); err != nil {
			return nil, err
		}
		if out[k.Kind] == nil {
			out[k.Kind] = map[agentproto.Key]agentproto.Meta{}
		}
		out[k.Kind][k] = m
	}
	return out, rows.Err()
}

// Objects lists objects, optionally of one kind and namespace.
func (s *Store) Objects(ctx context.Context, clusterID, kind, namespace string) ([]agentproto.Object, error) {
	q := `SELECT kind, namespace, name, uid, resource_version, body FROM inventory_objects WHERE cluster_id = ?`
	args := []any{clusterID}
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	if namespace != "" {
		q += ` AND namespace = ?`
		args = append(args, namespace)
	}
	return s.queryObjects(ctx, q+` ORDER BY kind, namespace, name`, args...)
}

func (s *Store) queryObjects(ctx context.Context, q string, args ...any) ([]agentproto.Object, error) {
	rows, err := s.db.Query(ctx, q, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []agentproto.Object{}
	for rows.Next() {
		var o agentproto.Object
		var body string
		if err := rows.Scan(&o.Kind, &o.Namespace, &o.Name, &o.UID, &o.ResourceVersion, &body); err != nil {
			return nil, err
		}
		o.Body = json.RawMessage(body)
		out = append(out, o)
	}
	return out, rows.Err()
}

// ObjectsAfter is one page of Objects after a key (keyset pagination on
// the primary key, written without row values so both dialects use it).
func (s *Store) ObjectsAfter(ctx context.Context, clusterID, kind, namespace string, after agentproto.Key, limit int) ([]agentproto.Object, error) {
	q := `SELECT kind, namespace, name, uid, resource_version, body FROM inventory_objects WHERE cluster_id = ?
  AND (kind > ? OR (kind = ? AND (namespace > ? OR (namespace = ? AND name > ?))))`
	args := []any{clusterID, after.Kind, after.Kind, after.Namespace, after.Namespace, after.Name}
	if kind != "" {
		q += ` AND kind = ?`
		args = append(args, kind)
	}
	if namespace != "" {
		q += ` AND namespace = ?`
		args = append(args, namespace)
	}
	return s.queryObjects(ctx, q+` ORDER BY kind, namespace, name LIMIT ?`, append(args, limit)...)
}

// Counts returns the number of objects per kind.
func (s *Store) Counts(ctx context.Context, clusterID string) (map[string]int, error) {
	rows, err := s.db.Query(ctx, `SELECT kind, COUNT(*) FROM inventory_objects WHERE cluster_id = ? GROUP BY kind`, clusterID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]int{}
	for rows.Next() {
		var k string
		var n int
		if err := rows.Scan(&k, &n); err != nil {
			return nil, err
		}
		out[k] = n
	}
	return out, rows.Err()
}

// CreateSnapshot stores a snapshot's gzipped body.
func (s *Store) CreateSnapshot(ctx context.Context, rec *inventory.SnapshotRecord, body []byte) error {
	return s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO cluster_snapshots (id, cluster_id, created_at, created_by, object_count, counts, body)
VALUES (?, ?, ?, ?, ?, ?, ?)`, rec.ID, rec.ClusterID, database.TimeOf(rec.CreatedAt), rec.CreatedBy, rec.ObjectCount, marshalCounts(rec.Counts), body)
		return err
	})
}

const snapshotColumns = `id, cluster_id, created_at, created_by, object_count, counts`

func scanSnapshot(r scanner, extra ...any) (*inventory.SnapshotRecord, error) {
	var rec inventory.SnapshotRecord
	var created database.Time
	var counts string
	if err := r.Scan(append([]any{&rec.ID, &rec.ClusterID, &created, &rec.CreatedBy, &rec.ObjectCount, &counts}, extra...)...); err != nil {
		return nil, err
	}
	rec.CreatedAt = created.Time
	if err := json.Unmarshal([]byte(counts), &rec.Counts); err != nil {
		return nil, err
	}
	return &rec, nil
}

// ListSnapshots lists a cluster's snapshots, newest first.
func (s *Store) ListSnapshots(ctx context.Context, clusterID string) ([]inventory.SnapshotRecord, error) {
	rows, err := s.db.Query(ctx, `SELECT `+snapshotColumns+` FROM cluster_snapshots WHERE cluster_id = ? ORDER BY id DESC`, clusterID)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := []inventory.SnapshotRecord{}
	for rows.Next() {
		rec, err := scanSnapshot(rows)
		if err != nil {
			return nil, err
		}
		out = append(out, *rec)
	}
	return out, rows.Err()
}

// GetSnapshot returns one snapshot with its gzipped body.
func (s *Store) GetSnapshot(ctx context.Context, clusterID, id string) (*inventory.SnapshotRecord, []byte, error) {
	var body []byte
	rec, err := scanSnapshot(s.db.QueryRow(ctx, `SELECT `+snapshotColumns+`, body FROM cluster_snapshots WHERE cluster_id = ? AND id = ?`, clusterID, id), &body)
	if errors.Is(err, sql.ErrNoRows) || err != nil {
		return nil, nil, database.DomainError(err, capsule.NotFound("cluster snapshot", id))
	}
	return rec, body, nil
}

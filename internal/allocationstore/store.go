// Package allocationstore keeps cost allocation over time in the control
// plane's database (SQLite or PostgreSQL, migration 0320 of
// internal/sqlstore): one row per (cluster, day, namespace, workload) that
// every sample adds into, and a mark per (cluster, slot) sampled.
//
// Design decisions:
//   - A sample and its mark commit in one transaction and the mark is the
//     primary key (cluster, slot): with several replicas a slot is counted
//     once, whoever samples it first.
//   - Each sample is also folded, per label combination (namespace, team,
//     project, service, environment, idle or not), into a rollup that
//     summaries and anomaly series read: a window reads rows per day and
//     label combination, not per workload, and the database groups them
//     (GROUP BY the group column and the namespace).
//   - Retention: rows and marks older than Retention are pruned by Prune.
package allocationstore

import (
	"context"
	"encoding/json"
	"fmt"
	"strings"
	"time"

	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/database"
)

// Retention is how long daily allocation rows are kept.
const Retention = 400 * 24 * time.Hour

// Store is the allocation data of one database.
type Store struct{ db *database.DB }

// Source is what the store needs from internal/sqlstore.
type Source interface{ Database() *database.DB }

// New returns the store sharing src's database.
func New(src Source) *Store { return &Store{db: src.Database()} }

// A Cluster is a cluster whose picture may be sampled.
type Cluster struct{ ID, OrganizationID string }

// Clusters lists the clusters that have an agent picture.
func (s *Store) Clusters(ctx context.Context) ([]Cluster, error) {
	rows, err := s.db.Query(ctx, `SELECT c.id, c.organization_id FROM clusters c
WHERE EXISTS (SELECT 1 FROM inventory_objects o WHERE o.cluster_id = CAST(c.id AS TEXT)) ORDER BY c.id`)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []Cluster
	for rows.Next() {
		var c Cluster
		if err := rows.Scan(&c.ID, &c.OrganizationID); err != nil {
			return nil, err
		}
		out = append(out, c)
	}
	return out, rows.Err()
}

const addRow = `INSERT INTO cost_allocations (organization_id, cluster_id, day, namespace, workload, team, project, service,
  environment, cpu_cost, memory_cost, usage_cost, metered_cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (cluster_id, day, namespace, workload) DO UPDATE SET team = excluded.team, project = excluded.project,
  service = excluded.service, environment = excluded.environment,
  cpu_cost = cost_allocations.cpu_cost + excluded.cpu_cost,
  memory_cost = cost_allocations.memory_cost + excluded.memory_cost,
  usage_cost = cost_allocations.usage_cost + excluded.usage_cost,
  metered_cost = cost_allocations.metered_cost + excluded.metered_cost`

// Record adds a sample of the slot starting at slot into the daily rows;
// taken is false when the slot was already recorded (another replica).
func (s *Store) Record(ctx context.Context, c Cluster, slot time.Time, smp allocation.Sample) (taken bool, err error) {
	unpriced, _ := json.Marshal(append([]string{}, smp.Unpriced...))
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `INSERT INTO cost_samples (cluster_id, slot, pods, nodes, unpriced, taken_at)
VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (cluster_id, slot) DO NOTHING`,
			c.ID, slot.Unix(), smp.Pods, smp.Nodes, string(unpriced), database.TimeOf(database.Now()))
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return nil
		}
		taken = true
		return insertRows(ctx, tx, c.OrganizationID, smp.Rows)
	})
	return taken, err
}

const addGroup = `INSERT INTO cost_allocation_groups (organization_id, cluster_id, day, namespace, team, project, service,
  environment, idle, cpu_cost, memory_cost, usage_cost, metered_cost) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (cluster_id, day, namespace, team, project, service, environment, idle) DO UPDATE SET
  cpu_cost = cost_allocation_groups.cpu_cost + excluded.cpu_cost,
  memory_cost = cost_allocation_groups.memory_cost + excluded.memory_cost,
  usage_cost = cost_allocation_groups.usage_cost + excluded.usage_cost,
  metered_cost = cost_allocation_groups.metered_cost + excluded.metered_cost`

// groupKey is a row's label combination: the rollup's key.
type groupKey struct {
	cluster, day, namespace, team, project, service, environment string
	idle                                                         int
}

// insertRows adds rows to the per-workload table and, folded by label
// combination, to the rollup.
func insertRows(ctx context.Context, tx *database.Tx, org string, rows []allocation.Row) error {
	sums := map[groupKey]*allocation.Row{}
	var order []groupKey
	for _, r := range rows {
		if err := r.Validate(); err != nil {
			return err
		}
		if _, err := tx.Exec(ctx, addRow, org, r.ClusterID, r.Day, r.Namespace, r.Workload, r.Team, r.Project,
			r.Service, r.Environment, r.CPUCost, r.MemoryCost, r.UsageCost, r.MeteredCost); err != nil {
			return err
		}
		k := groupKey{r.ClusterID, r.Day, r.Namespace, r.Team, r.Project, r.Service, r.Environment, 0}
		if r.Workload == allocation.Idle {
			k.idle = 1
		}
		g := sums[k]
		if g == nil {
			g = &allocation.Row{}
			sums[k] = g
			order = append(order, k)
		}
		g.CPUCost += r.CPUCost
		g.MemoryCost += r.MemoryCost
		g.UsageCost += r.UsageCost
		g.MeteredCost += r.MeteredCost
	}
	for _, k := range order {
		g := sums[k]
		if _, err := tx.Exec(ctx, addGroup, org, k.cluster, k.day, k.namespace, k.team, k.project, k.service, k.environment,
			k.idle, g.CPUCost, g.MemoryCost, g.UsageCost, g.MeteredCost); err != nil {
			return err
		}
	}
	return nil
}

// Insert adds rows directly (tests and benchmarks that generate history).
func (s *Store) Insert(ctx context.Context, org string, rows []allocation.Row) error {
	return s.db.InTx(ctx, func(tx *database.Tx) error { return insertRows(ctx, tx, org, rows) })
}

// groupColumns maps a summary group to its column.
var groupColumns = map[string]string{
	"team": "team", "project": "project", "service": "service", "namespace": "namespace",
	"cluster": "cluster_id", "environment": "environment",
}

// Query selects an organization's rows from day From to day To (YYYY-MM-DD,
// inclusive), optionally of one cluster.
type Query struct {
	OrganizationID, ClusterID string
	From, To                  string
}

func (q Query) where() (string, []any) {
	w := `organization_id = ? AND day >= ? AND day <= ?`
	args := []any{q.OrganizationID, q.From, q.To}
	if q.ClusterID != "" {
		w += ` AND cluster_id = ?`
		args = append(args, q.ClusterID)
	}
	return w, args
}

// Totals sums the rows per group value and namespace (idle rows apart).
func (s *Store) Totals(ctx context.Context, q Query, group string) ([]allocation.Total, error) {
	col, ok := groupColumns[group]
	if !ok {
		return nil, fmt.Errorf("unknown allocation group %q (one of %s)", group, strings.Join(allocation.Groups, ", "))
	}
	w, args := q.where()
	rows, err := s.db.Query(ctx, `SELECT `+col+`, namespace, idle, SUM(cpu_cost), SUM(memory_cost),
  SUM(usage_cost), SUM(metered_cost) FROM cost_allocation_groups WHERE `+w+` GROUP BY `+col+`, namespace, idle`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	var out []allocation.Total
	for rows.Next() {
		var t allocation.Total
		var isIdle int
		if err := rows.Scan(&t.Group, &t.Namespace, &isIdle, &t.CPUCost, &t.MemoryCost, &t.UsageCost, &t.MeteredCost); err != nil {
			return nil, err
		}
		t.Idle = isIdle == 1
		out = append(out, t)
	}
	return out, rows.Err()
}

// DailySeries returns each cluster's, namespace's and service's daily
// allocated cost (idle excluded) from q.From to q.To, days without rows
// counting zero.
func (s *Store) DailySeries(ctx context.Context, q Query) ([]allocation.Series, error) {
	first, err := time.Parse("2006-01-02", q.From)
	if err != nil {
		return nil, fmt.Errorf("from: %q is not a day (YYYY-MM-DD)", q.From)
	}
	last, err := time.Parse("2006-01-02", q.To)
	if err != nil {
		return nil, fmt.Errorf("to: %q is not a day (YYYY-MM-DD)", q.To)
	}
	n := int(last.Sub(first).Hours()/24) + 1
	if n <= 0 {
		return nil, nil
	}
	w, args := q.where()
	rows, err := s.db.Query(ctx, `SELECT cluster_id, namespace, service, day, SUM(cpu_cost + memory_cost)
FROM cost_allocation_groups WHERE `+w+` AND idle = 0 GROUP BY cluster_id, namespace, service, day`, args...)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	type key struct{ cluster, ns, svc string }
	series := map[key]*allocation.Series{}
	var order []key
	get := func(k key) *allocation.Series {
		if s := series[k]; s != nil {
			return s
		}
		s := &allocation.Series{ClusterID: k.cluster, Namespace: k.ns, Service: k.svc, First: first, Days: make([]int64, n)}
		series[k] = s
		order = append(order, k)
		return s
	}
	for rows.Next() {
		var cluster, ns, svc, day string
		var v int64
		if err := rows.Scan(&cluster, &ns, &svc, &day, &v); err != nil {
			return nil, err
		}
		d, err := time.Parse("2006-01-02", day)
		if err != nil {
			continue
		}
		i := int(d.Sub(first).Hours() / 24)
		if i < 0 || i >= n {
			continue
		}
		get(key{cluster, "", ""}).Days[i] += v
		get(key{cluster, ns, ""}).Days[i] += v
		if svc != "" {
			get(key{cluster, ns, svc}).Days[i] += v
		}
	}
	if err := rows.Err(); err != nil {
		return nil, err
	}
	out := make([]allocation.Series, 0, len(order))
	for _, k := range order {
		out = append(out, *series[k])
	}
	return out, nil
}

// Prune deletes rows and marks older than before.
func (s *Store) Prune(ctx context.Context, before time.Time) error {
	for _, table := range []string{"cost_allocations", "cost_allocation_groups"} {
		if _, err := s.db.Exec(ctx, `DELETE FROM `+table+` WHERE day < ?`, before.UTC().Format("2006-01-02")); err != nil {
			return err
		}
	}
	_, err := s.db.Exec(ctx, `DELETE FROM cost_samples WHERE slot < ?`, before.Unix())
	return err
}

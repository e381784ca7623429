package allocationstore

import (
	"context"
	"strings"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/billingstore"
	"github.com/usecapsule/capsule/internal/database"
)

// LinkWindow is how long before an anomaly a delivery may have caused it.
const LinkWindow = 7 * 24 * time.Hour

// Anomalies detects anomalies in the daily series of q's days, links each
// to the delivery that preceded it and marks those the bill confirms: a
// usage record of that cluster (by id or name) on that day exists.
func (s *Store) Anomalies(ctx context.Context, q Query) ([]allocation.Anomaly, error) {
	series, err := s.DailySeries(ctx, q)
	if err != nil {
		return nil, err
	}
	anoms := allocation.Detect(series)
	if len(anoms) == 0 {
		return []allocation.Anomaly{}, nil
	}
	from, _ := time.Parse("2006-01-02", q.From)
	deliveries, err := s.Deliveries(ctx, q.OrganizationID, from.Add(-LinkWindow))
	if err != nil {
		return nil, err
	}
	allocation.Link(anoms, deliveries, LinkWindow)
	attr, err := billingstore.New(s).Attributions(ctx, billingstore.Filter{OrganizationID: q.OrganizationID, From: q.From, To: q.To})
	if err != nil {
		return nil, err
	}
	names, err := s.clusterNames(ctx, q.OrganizationID)
	if err != nil {
		return nil, err
	}
	billed := map[string]bool{}
	for _, a := range attr {
		billed[strings.ToLower(a.Cluster)+"\x00"+a.Day] = true
	}
	for i := range anoms {
		a := &anoms[i]
		day := a.Timestamp.Format("2006-01-02")
		a.ConfirmedByBill = billed[strings.ToLower(a.ClusterID)+"\x00"+day] || billed[strings.ToLower(names[a.ClusterID])+"\x00"+day]
	}
	return anoms, nil
}

// Database lets billingstore share the store's database.
func (s *Store) Database() *database.DB { return s.db }

func (s *Store) clusterNames(ctx context.Context, org string) (map[string]string, error) {
	rows, err := s.db.Query(ctx, `SELECT id, name FROM clusters WHERE organization_id = ?`, org)
	if err != nil {
		return nil, err
	}
	defer rows.Close()
	out := map[string]string{}
	for rows.Next() {
		var id, name string
		if err := rows.Scan(&id, &name); err != nil {
			return nil, err
		}
		out[id] = name
	}
	return out, rows.Err()
}

// Deliveries lists the organization's delivered promotions and its
// deployments since since, with the cluster, namespace and service they
// went into.
func (s *Store) Deliveries(ctx context.Context, org string, since time.Time) ([]allocation.Delivery, error) {
	var out []allocation.Delivery
	scan := func(q string, promotion bool, args ...any) error {
		rows, err := s.db.Query(ctx, q, args...)
		if err != nil {
			return err
		}
		defer rows.Close()
		for rows.Next() {
			var d allocation.Delivery
			var at database.Time
			if err := rows.Scan(&d.ID, &d.ClusterID, &d.Namespace, &d.Service, &at); err != nil {
				return err
			}
			if !at.Valid || at.Time.Before(since) {
				continue
			}
			d.At, d.Promotion = at.Time, promotion
			if !promotion {
				d.ID = "deployment:" + d.ID
			}
			out = append(out, d)
		}
		return rows.Err()
	}
	err := scan(`SELECT p.id, e.cluster_id, e.namespace, sv.name, p.updated_at FROM workload_promotions p
JOIN environments e ON e.id = p.target_env_id JOIN services sv ON sv.id = p.service_id
WHERE p.organization_id = ? AND p.status = ?`, true, org, capsule.PromotionDelivered)
	if err != nil {
		return nil, err
	}
	err = scan(`SELECT d.id, e.cluster_id, e.namespace, sv.name, d.created_at FROM deployments d
JOIN environments e ON e.id = d.environment_id JOIN services sv ON sv.id = d.service_id
JOIN projects pr ON pr.id = sv.project_id WHERE pr.organization_id = ?`, false, org)
	return out, err
}

package allocation

import (
	"sort"
	"time"

	"github.com/usecapsule/capsule/internal/billing"
)

// A Series is one scope's daily allocated cost (nano-dollars), Days[i]
// being the cost of First + i days. Namespace and Service are empty for a
// cluster's series; Service is empty for a namespace's.
type Series struct {
	ClusterID, Namespace, Service string
	First                         time.Time
	Days                          []int64
}

// Anomaly is a run of days on which a scope's cost left its expected
// range, reported at its first day, with the delivery that preceded it.
type Anomaly struct {
	ClusterID   string    `json:"cluster_id"`
	Timestamp   time.Time `json:"timestamp"`
	AnomalyType string    `json:"anomaly_type"`
	DeltaUSD    string    `json:"delta_usd"`
	// WorkloadID is the scope: "" for the cluster, the namespace, or
	// namespace/service.
	WorkloadID string `json:"workload_id"`
	// PromotionID is the delivered promotion (or, failing one, the
	// deployment, as "deployment:<id>") that last went into the scope
	// before the anomaly's start, within the link window; empty if none.
	PromotionID     string `json:"promotion_id"`
	ConfirmedByBill bool   `json:"confirmed_by_bill"`
	Days            int    `json:"days"`

	namespace, service string
}

// Detect runs internal/billing's detector (median/MAD per weekday, a
// material change required, flagged on the first day) over each series.
func Detect(series []Series) []Anomaly {
	var out []Anomaly
	for _, s := range series {
		vals := make([]billing.Amount, len(s.Days))
		for i, v := range s.Days {
			vals[i] = amount(v)
		}
		for _, a := range billing.DetectAnomalies(s.ClusterID, s.First, vals, billing.AnomalyOptions{}) {
			day, _ := time.Parse("2006-01-02", a.Starts)
			wl := s.Namespace
			if s.Service != "" {
				wl += "/" + s.Service
			}
			out = append(out, Anomaly{ClusterID: s.ClusterID, Timestamp: day, AnomalyType: a.Kind,
				DeltaUSD: a.Delta.String(), WorkloadID: wl, Days: a.Days, namespace: s.Namespace, service: s.Service})
		}
	}
	sort.SliceStable(out, func(i, j int) bool { return out[i].Timestamp.Before(out[j].Timestamp) })
	return out
}

// amount is nano-dollars as a billing amount, rounded to cents so the
// detector's deltas read as money.
func amount(nano int64) billing.Amount {
	return billing.MustAmount(USD(nano))
}

// A Delivery is a promotion delivered, or a deployment made, into an
// environment (a namespace of a cluster) for a service.
type Delivery struct {
	ClusterID, Namespace, Service string
	At                            time.Time
	// ID is the promotion's id, or "deployment:" and the deployment's.
	ID string
	// Promotion deliveries win over deployments at the same scope.
	Promotion bool
}

// Link ties each anomaly to the most recent delivery into its scope (the
// cluster, its namespace, its service in that namespace) strictly before
// the end of the anomaly's first day and no earlier than window before its
// start; a promotion beats a deployment (a promotion's delivery is itself
// a deployment), then the later one wins.
func Link(anoms []Anomaly, deliveries []Delivery, window time.Duration) {
	for i := range anoms {
		a := &anoms[i]
		end := a.Timestamp.Add(24 * time.Hour)
		var best *Delivery
		for j := range deliveries {
			d := &deliveries[j]
			if d.ClusterID != a.ClusterID || !d.At.Before(end) || d.At.Before(a.Timestamp.Add(-window)) {
				continue
			}
			if a.namespace != "" && d.Namespace != a.namespace {
				continue
			}
			if a.service != "" && d.Service != a.service {
				continue
			}
			if best == nil || (d.Promotion && !best.Promotion) ||
				(d.Promotion == best.Promotion && d.At.After(best.At)) {
				best = d
			}
		}
		if best != nil {
			a.PromotionID = best.ID
		}
	}
}

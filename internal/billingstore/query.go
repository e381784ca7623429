package billingstore

import (
	"context"
	"strconv"
	"strings"
	"time"

	"github.com/usecapsule/capsule/internal/billing"
	"github.com/usecapsule/capsule/internal/database"
)

// A Filter narrows stored records: an organization (required), and
// optionally an account, a cluster, a charge category and a range of days
// (From and To inclusive, YYYY-MM-DD).
type Filter struct {
	OrganizationID string
	AccountID      string
	Cluster        string
	Category       string
	From, To       string
}

// A StoredRecord is one imported row.
type StoredRecord struct {
	ImportID          string         `json:"importId"`
	Line              int            `json:"line"`
	AccountID         string         `json:"accountId"`
	Day               string         `json:"day"`
	ChargePeriodStart time.Time      `json:"chargePeriodStart"`
	ChargeCategory    string         `json:"chargeCategory"`
	Commitment        string         `json:"commitmentDiscountCategory,omitempty"`
	ServiceName       string         `json:"serviceName,omitempty"`
	ResourceID        string         `json:"resourceId,omitempty"`
	RegionID          string         `json:"regionId,omitempty"`
	SubAccountID      string         `json:"subAccountId,omitempty"`
	Cluster           string         `json:"cluster,omitempty"`
	Currency          string         `json:"currency,omitempty"`
	BilledCost        billing.Amount `json:"billedCost"`
	EffectiveCost     billing.Amount `json:"effectiveCost"`
	ListCost          billing.Amount `json:"listCost"`
	ContractedCost    billing.Amount `json:"contractedCost"`
	Tags              string         `json:"tags,omitempty"`
}

const recordColumns = `import_id, line, account_id, day, charge_period_start, charge_category, commitment, service_name,
  resource_id, region_id, sub_account_id, cluster, currency, billed_cost, effective_cost, list_cost, contracted_cost, tags`

func scanRecord(r scanner) (StoredRecord, error) {
	var x StoredRecord
	var start database.Time
	var billed, effective, list, contracted string
	if err := r.Scan(&x.ImportID, &x.Line, &x.AccountID, &x.Day, &start, &x.ChargeCategory, &x.Commitment, &x.ServiceName,
		&x.ResourceID, &x.RegionID, &x.SubAccountID, &x.Cluster, &x.Currency, &billed, &effective, &list, &contracted, &x.Tags); err != nil {
		return x, err
	}
	x.ChargePeriodStart = start.Time
	for _, m := range []struct {
		s   string
		dst *billing.Amount
	}{{billed, &x.BilledCost}, {effective, &x.EffectiveCost}, {list, &x.ListCost}, {contracted, &x.ContractedCost}} {
		a, err := billing.ParseAmount(m.s)
		if err != nil {
			return x, err
		}
		*m.dst = a
	}
	return x, nil
}

func (f Filter) where() (string, []any, bool) {
	org, ok := database.CanonicalID(f.OrganizationID)
	if !ok {
		return "", nil, false
	}
	conds, args := []string{"organization_id = ?"}, []any{org}
	if f.AccountID != "" {
		acct, ok := database.CanonicalID(f.AccountID)
		if !ok {
			return "", nil, false
		}
		conds, args = append(conds, "account_id = ?"), append(args, acct)
	}
	for _, c := range []struct{ col, v string }{{"cluster = ?", f.Cluster}, {"charge_category = ?", f.Category}, {"day >= ?", f.From}, {"day <= ?", f.To}} {
		if c.v != "" {
			conds, args = append(conds, c.col), append(args, c.v)
		}
	}
	return " WHERE " + strings.Join(conds, " AND "), args, true
}

// Records returns up to limit records after the cursor (the previous
// page's last "importId:line"), in import and line order, and the next
// cursor ("" on the last page).
func (s *Store) Records(ctx context.Context, f Filter, limit int, cursor string) ([]StoredRecord, string, error) {
	where, args, ok := f.where()
	out := []StoredRecord{}
	if !ok {
		return out, "", nil
	}
	if imp, line, found := strings.Cut(cursor, ":"); found {
		n, err := strconv.Atoi(line)
		imp, okID := database.CanonicalID(imp)
		if err != nil || !okID {
			return nil, "", invalidField("cursor", "not a cursor of this list")
		}
		where += " AND (import_id > ? OR (import_id = ? AND line > ?))"
		args = append(args, imp, imp, n)
	}
	rows, err := s.db.Query(ctx, "SELECT "+recordColumns+" FROM billing_records"+where+" ORDER BY import_id, line LIMIT ?", append(args, limit+1)...)
	if err != nil {
		return nil, "", err
	}
	defer rows.Close()
	for rows.Next() {
		x, err := scanRecord(rows)
		if err != nil {
			return nil, "", err
		}
		out = append(out, x)
	}
	if err := rows.Err(); err != nil {
		return nil, "", err
	}
	next := ""
	if len(out) > limit {
		out = out[:limit]
		last := out[limit-1]
		next = last.ImportID + ":" + strconv.Itoa(last.Line)
	}
	return out, next, nil
}

// each streams the records of f to fn.
func (s *Store) each(ctx context.Context, f Filter, fn func(StoredRecord)) error {
	where, args, ok := f.where()
	if !ok {
		return nil
	}
	rows, err := s.db.Query(ctx, "SELECT "+recordColumns+" FROM billing_records"+where, args...)
	if err != nil {
		return err
	}
	defer rows.Close()
	for rows.Next() {
		x, err := scanRecord(rows)
		if err != nil {
			return err
		}
		fn(x)
	}
	return rows.Err()
}

// An Attribution is one cluster's cost on one day.
type Attribution struct {
	Cluster       string         `json:"cluster"`
	Day           string         `json:"day"`
	EffectiveCost billing.Amount `json:"effectiveCost"`
	BilledCost    billing.Amount `json:"billedCost"`
}

// Attributions sums the clusters' usage per day, by cluster then day.
func (s *Store) Attributions(ctx context.Context, f Filter) ([]Attribution, error) {
	type key struct{ cluster, day string }
	sums := map[key]*Attribution{}
	f.Category = billing.CategoryUsage
	err := s.each(ctx, f, func(x StoredRecord) {
		if x.Cluster == "" {
			return
		}
		k := key{x.Cluster, x.Day}
		a := sums[k]
		if a == nil {
			a = &Attribution{Cluster: x.Cluster, Day: x.Day}
			sums[k] = a
		}
		a.EffectiveCost = a.EffectiveCost.Add(x.EffectiveCost)
		a.BilledCost = a.BilledCost.Add(x.BilledCost)
	})
	if err != nil {
		return nil, err
	}
	out := make([]Attribution, 0, len(sums))
	for _, a := range sums {
		out = append(out, *a)
	}
	sortAttributions(out)
	return out, nil
}

// Reconcile explains per cluster list versus effective versus billed cost.
func (s *Store) Reconcile(ctx context.Context, f Filter) ([]billing.Reconciliation, error) {
	rc := billing.NewReconciler()
	err := s.each(ctx, f, func(x StoredRecord) {
		rc.Add(&billing.Record{BilledCost: x.BilledCost, EffectiveCost: x.EffectiveCost, ListCost: x.ListCost,
			ContractedCost: x.ContractedCost, ChargeCategory: x.ChargeCategory, CommitmentDiscountCategory: x.Commitment, Cluster: x.Cluster})
	})
	if err != nil {
		return nil, err
	}
	return rc.Result(), nil
}

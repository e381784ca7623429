package billing

import (
	"errors"
	"io"
	"sort"
	"time"
)

// DefaultMaxErrors is how many bad rows a report lists; the rest are counted.
const DefaultMaxErrors = 100

// A Report is what a billing file adds up to.
type Report struct {
	Format             string                 `json:"format"`
	Rows               int                    `json:"rows"`
	RowsRejected       int                    `json:"rows_rejected"`
	Currency           string                 `json:"currency,omitempty"`
	Currencies         []string               `json:"currencies,omitempty"`
	BilledCostTotal    Amount                 `json:"billed_cost_total"`
	EffectiveCostTotal Amount                 `json:"effective_cost_total"`
	Clusters           map[string]ClusterCost `json:"clusters"`
	// Unattributed is the effective cost of the rows no cluster owns:
	// untagged usage, purchases, taxes, credits, adjustments.
	Unattributed Amount    `json:"unattributed"`
	Anomalies    []Anomaly `json:"anomalies"`
	// Reconciliation explains per cluster how list became effective and
	// billed cost.
	Reconciliation []Reconciliation `json:"reconciliation"`
	Errors         []RowError       `json:"errors"`
	ErrorsTotal    int              `json:"errors_total"`
}

// ClusterCost is one cluster's effective cost, in total and per UTC day of
// the charge period start.
type ClusterCost struct {
	EffectiveCost Amount            `json:"effective_cost"`
	Days          map[string]Amount `json:"days"`
}

// An Analyzer adds records up one at a time; memory grows with clusters ×
// days, never with rows.
type Analyzer struct {
	opts       Options
	format     string
	rows       int
	rejected   int
	billed     Amount
	effective  Amount
	unassigned Amount
	currencies map[string]bool
	clusters   map[string]*clusterAgg
	errs       []RowError
	lastDay    int64
	anyDay     bool
	rec        *Reconciler
	merged     map[string]string
}

type clusterAgg struct {
	total     Amount
	days      map[int64]Amount
	sanitized bool
}

// Options tune an analysis; the zero value is the defaults.
type Options struct {
	// MaxErrors caps the bad rows listed (DefaultMaxErrors when 0).
	MaxErrors int
	Anomaly   AnomalyOptions
}

// NewAnalyzer starts an empty analysis of a file in format.
func NewAnalyzer(format string, o Options) *Analyzer {
	if o.MaxErrors <= 0 {
		o.MaxErrors = DefaultMaxErrors
	}
	return &Analyzer{opts: o, format: format, currencies: map[string]bool{}, clusters: map[string]*clusterAgg{}, rec: NewReconciler()}
}

// Analyze reads every record of r.
func Analyze(r *Reader, o Options) (*Report, error) {
	a := NewAnalyzer(r.Format(), o)
	for {
		rec, err := r.Next()
		if err == io.EOF {
			break
		}
		var re *RowError
		if errors.As(err, &re) {
			a.Reject(*re)
			continue
		}
		if err != nil {
			return nil, err
		}
		a.Add(&rec)
	}
	return a.Report(), nil
}

func dayOf(t time.Time) int64 { return t.Unix() / 86400 }

// Add counts one record.
func (a *Analyzer) Add(r *Record) {
	a.rows++
	a.rec.Add(r)
	a.billed = a.billed.Add(r.BilledCost)
	a.effective = a.effective.Add(r.EffectiveCost)
	if r.BillingCurrency != "" && !a.currencies[r.BillingCurrency] {
		a.currencies[r.BillingCurrency] = true
	}
	d := dayOf(r.ChargePeriodStart)
	if !a.anyDay || d > a.lastDay {
		a.lastDay, a.anyDay = d, true
	}
	if r.Cluster == "" {
		a.unassigned = a.unassigned.Add(r.EffectiveCost)
		return
	}
	c := a.clusters[r.Cluster]
	if c == nil {
		c = &clusterAgg{days: map[int64]Amount{}, sanitized: r.clusterSanitized}
		a.clusters[r.Cluster] = c
	}
	c.sanitized = c.sanitized && r.clusterSanitized
	c.total = c.total.Add(r.EffectiveCost)
	c.days[d] = c.days[d].Add(r.EffectiveCost)
}

// Reject counts one bad row, listing it while under the cap.
func (a *Analyzer) Reject(e RowError) {
	a.rejected++
	if len(a.errs) < a.opts.MaxErrors {
		a.errs = append(a.errs, e)
	}
}

// mergeSanitized folds a cluster known only by a sanitized tag key
// (prod_eu_1) into the cluster whose real name sanitizes to it (prod-eu-1).
func (a *Analyzer) mergeSanitized() {
	a.merged = map[string]string{}
	real := map[string]string{}
	for name, c := range a.clusters {
		if !c.sanitized {
			if s := sanitizeName(name); s != name {
				real[s] = name
			}
		}
	}
	for name, c := range a.clusters {
		target, ok := real[name]
		if !c.sanitized || !ok {
			continue
		}
		t := a.clusters[target]
		t.total = t.total.Add(c.total)
		for d, v := range c.days {
			t.days[d] = t.days[d].Add(v)
		}
		delete(a.clusters, name)
		a.merged[name] = target
	}
}

// canonical is the cluster a sanitized name was merged into, or name.
func (a *Analyzer) canonical(name string) string {
	if target, ok := a.merged[name]; ok {
		return target
	}
	return name
}

// mergeReconciliation adds x to the entry of its cluster in list.
func mergeReconciliation(list []Reconciliation, x Reconciliation) []Reconciliation {
	for i := range list {
		if list[i].Cluster == x.Cluster {
			y := &list[i]
			y.List, y.Effective, y.Billed = y.List.Add(x.List), y.Effective.Add(x.Effective), y.Billed.Add(x.Billed)
			y.SavingsPlans, y.Reservations, y.Discounts = y.SavingsPlans.Add(x.SavingsPlans), y.Reservations.Add(x.Reservations), y.Discounts.Add(x.Discounts)
			y.Credits, y.Taxes, y.Purchases = y.Credits.Add(x.Credits), y.Taxes.Add(x.Taxes), y.Purchases.Add(x.Purchases)
			y.Adjustments, y.Amortization = y.Adjustments.Add(x.Adjustments), y.Amortization.Add(x.Amortization)
			return list
		}
	}
	return append(list, x)
}

// Report returns the totals, clusters and anomalies so far.
func (a *Analyzer) Report() *Report {
	a.mergeSanitized()
	rep := &Report{
		Format: a.format, Rows: a.rows, RowsRejected: a.rejected,
		BilledCostTotal: a.billed, EffectiveCostTotal: a.effective, Unattributed: a.unassigned,
		Clusters: map[string]ClusterCost{}, Anomalies: []Anomaly{}, Errors: append([]RowError{}, a.errs...),
		ErrorsTotal: a.rejected,
	}
	for _, x := range a.rec.Result() {
		if x.Cluster != Unattributed {
			x.Cluster = a.canonical(x.Cluster)
		}
		rep.Reconciliation = mergeReconciliation(rep.Reconciliation, x)
	}
	for c := range a.currencies {
		rep.Currencies = append(rep.Currencies, c)
	}
	sort.Strings(rep.Currencies)
	if len(rep.Currencies) == 1 {
		rep.Currency, rep.Currencies = rep.Currencies[0], nil
	}
	names := make([]string, 0, len(a.clusters))
	for name := range a.clusters {
		names = append(names, name)
	}
	sort.Strings(names)
	for _, name := range names {
		c := a.clusters[name]
		cc := ClusterCost{EffectiveCost: c.total, Days: map[string]Amount{}}
		first := a.lastDay
		for d, v := range c.days {
			cc.Days[dayKey(d)] = v
			first = min(first, d)
		}
		rep.Clusters[name] = cc
		series := make([]Amount, a.lastDay-first+1)
		for d, v := range c.days {
			series[d-first] = v
		}
		rep.Anomalies = append(rep.Anomalies, DetectAnomalies(name, time.Unix(first*86400, 0).UTC(), series, a.opts.Anomaly)...)
	}
	return rep
}

func dayKey(d int64) string { return time.Unix(d*86400, 0).UTC().Format("2006-01-02") }

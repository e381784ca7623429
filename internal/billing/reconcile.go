package billing

import "sort"

// A Reconciliation explains, for one cluster (or the unattributed rest),
// how the public list price of its usage became its effective and its
// billed cost. It holds exactly:
//
//	effective = list − savings_plans − reservations − discounts + credits + taxes + purchases + adjustments
//	billed    = effective + amortization
//
// savings_plans, reservations and discounts are what usage covered by a
// savings plan, by a reservation, or by neither (negotiated, sustained-use
// or bundled discounts, GCP credits on the row) cost below its list price;
// credits, taxes, purchases and adjustments are the effective cost of rows
// of those categories; amortization is billed − effective (commitment fees
// invoiced up front or monthly against their share spread over usage).
type Reconciliation struct {
	Cluster      string `json:"cluster"`
	List         Amount `json:"list_cost"`
	Effective    Amount `json:"effective_cost"`
	Billed       Amount `json:"billed_cost"`
	SavingsPlans Amount `json:"savings_plans"`
	Reservations Amount `json:"reservations"`
	Discounts    Amount `json:"discounts"`
	Credits      Amount `json:"credits"`
	Taxes        Amount `json:"taxes"`
	Purchases    Amount `json:"purchases"`
	Adjustments  Amount `json:"adjustments"`
	Amortization Amount `json:"amortization"`
}

// Unattributed is the Reconciliation key of rows no cluster owns.
const Unattributed = "(unattributed)"

// A Reconciler adds records up per cluster.
type Reconciler struct {
	by map[string]*Reconciliation
}

// NewReconciler starts an empty reconciliation.
func NewReconciler() *Reconciler { return &Reconciler{by: map[string]*Reconciliation{}} }

// Add counts one record.
func (rc *Reconciler) Add(r *Record) {
	key := r.Cluster
	if key == "" {
		key = Unattributed
	}
	x := rc.by[key]
	if x == nil {
		x = &Reconciliation{Cluster: key}
		rc.by[key] = x
	}
	x.Effective = x.Effective.Add(r.EffectiveCost)
	x.Billed = x.Billed.Add(r.BilledCost)
	switch r.ChargeCategory {
	case CategoryUsage:
		x.List = x.List.Add(r.ListCost)
		below := r.ListCost.Sub(r.EffectiveCost)
		switch r.CommitmentDiscountCategory {
		case "Spend":
			x.SavingsPlans = x.SavingsPlans.Add(below)
		case "Usage":
			x.Reservations = x.Reservations.Add(below)
		default:
			x.Discounts = x.Discounts.Add(below)
		}
	case CategoryCredit:
		x.Credits = x.Credits.Add(r.EffectiveCost)
	case CategoryTax:
		x.Taxes = x.Taxes.Add(r.EffectiveCost)
	case CategoryPurchase:
		x.Purchases = x.Purchases.Add(r.EffectiveCost)
	default:
		x.Adjustments = x.Adjustments.Add(r.EffectiveCost)
	}
	x.Amortization = x.Billed.Sub(x.Effective)
}

// Result lists the reconciliations by cluster name, the unattributed last.
func (rc *Reconciler) Result() []Reconciliation {
	out := make([]Reconciliation, 0, len(rc.by))
	for _, x := range rc.by {
		out = append(out, *x)
	}
	sort.Slice(out, func(i, j int) bool {
		if (out[i].Cluster == Unattributed) != (out[j].Cluster == Unattributed) {
			return out[j].Cluster == Unattributed
		}
		return out[i].Cluster < out[j].Cluster
	})
	return out
}

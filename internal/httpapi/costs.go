package httpapi

import (
	"net/http"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/allocationstore"
)

var (
	costSummaryParams = []Param{
		orgParam,
		{Name: "group", Type: "string", Description: "what to group by (default namespace)", Enum: allocation.Groups},
		{Name: "window", Type: "string", Description: "the last N days, today included, e.g. 30d (default 30d, at most 400d)"},
		{Name: "cluster", Type: "string", Description: "only this cluster's cost"},
	}
	costAnomalyParams = []Param{
		orgParam,
		{Name: "window", Type: "string", Description: "the days judged, e.g. 30d (default 30d); each day is judged against the days before it in the window"},
		{Name: "cluster", Type: "string", Description: "only this cluster's anomalies"},
	}
)

// allocationStore is the allocation data of the API's database, reached
// like billingStore (allocation routes are not answered from the cache).
func (a *API) allocationStore() (*allocationstore.Store, error) {
	var under capsule.Store = a.cfg.Store
	if gs, ok := under.(*genStore); ok {
		under = gs.Store
	}
	src, ok := under.(allocationstore.Source)
	if !ok {
		return nil, capsule.Errorf(capsule.KindNotImplemented, capsule.CodeNotImplemented, "this server keeps no cost allocation data")
	}
	return allocationstore.New(src), nil
}

// costQuery reads the window and cluster of a cost route; visible is false
// when the caller is not a member of the organization.
func costQuery(r *http.Request) (allocationstore.Query, allocation.Window, bool, error) {
	q := r.URL.Query()
	org, err := billingOrg(r)
	if err != nil {
		return allocationstore.Query{}, allocation.Window{}, false, err
	}
	win := q.Get("window")
	if win == "" {
		win = "30d"
	}
	w, err := allocation.ParseWindow(win, time.Now())
	if err != nil {
		return allocationstore.Query{}, w, false, invalid(capsule.CodeInvalidParameter, "window", "%s", err.Error())
	}
	from, to := w.Days()
	return allocationstore.Query{OrganizationID: org, ClusterID: q.Get("cluster"), From: from, To: to}, w,
		CallerFrom(r.Context()).IsMember(org), nil
}

func (a *API) costSummary(w http.ResponseWriter, r *http.Request) error {
	st, err := a.allocationStore()
	if err != nil {
		return err
	}
	group, err := enumParam(r.URL.Query(), "group", allocation.Groups)
	if err != nil {
		return err
	}
	if group == "" {
		group = "namespace"
	}
	q, win, visible, err := costQuery(r)
	if err != nil {
		return err
	}
	var totals []allocation.Total
	if visible {
		if totals, err = st.Totals(r.Context(), q, group); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, allocation.Summarize(totals, allocation.DefaultSharedRule(), win))
	return nil
}

func (a *API) costAnomalies(w http.ResponseWriter, r *http.Request) error {
	st, err := a.allocationStore()
	if err != nil {
		return err
	}
	q, _, visible, err := costQuery(r)
	if err != nil {
		return err
	}
	out := []allocation.Anomaly{}
	if visible {
		if out, err = st.Anomalies(r.Context(), q); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// BudgetRequest is the body of POST /api/v1/budgets.
type BudgetRequest struct {
	OrganizationID string `json:"organizationId,omitempty"`
	Scope          string `json:"scope"`
	Name           string `json:"name"`
	MonthlyAmount  string `json:"monthly_amount"`
	Thresholds     []int  `json:"thresholds,omitempty"`
}

// BudgetList is the organization's budgets with this month's standing.
type BudgetList struct {
	Items []allocation.BudgetStatus `json:"items"`
}

func (a *API) createBudget(w http.ResponseWriter, r *http.Request) error {
	st, err := a.allocationStore()
	if err != nil {
		return err
	}
	var req BudgetRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	org, err := billingOrg(r)
	if err != nil {
		return err
	}
	b := &allocation.Budget{OrganizationID: org, Scope: req.Scope, Name: req.Name, MonthlyAmount: req.MonthlyAmount, Thresholds: req.Thresholds}
	if err := st.CreateBudget(r.Context(), b); err != nil {
		return err
	}
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (a *API) listBudgets(w http.ResponseWriter, r *http.Request) error {
	st, err := a.allocationStore()
	if err != nil {
		return err
	}
	org, err := billingOrg(r)
	if err != nil {
		return err
	}
	out := BudgetList{Items: []allocation.BudgetStatus{}}
	if CallerFrom(r.Context()).IsMember(org) {
		if out.Items, err = st.BudgetStatuses(r.Context(), org, time.Now()); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

package httpapi

import (
	"net/http"
	"regexp"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/billing"
	"github.com/usecapsule/capsule/internal/billingstore"
	"github.com/usecapsule/capsule/internal/database"
)

// BillingAccountRequest is the body of POST /api/v1/billing/accounts.
type BillingAccountRequest struct {
	OrganizationID string                `json:"organizationId,omitempty"`
	Name           string                `json:"name"`
	Provider       string                `json:"provider"`
	Format         string                `json:"format,omitempty"`
	Source         *BillingSourceRequest `json:"source,omitempty"`
}

// BillingAccountList is an organization's billing accounts.
type BillingAccountList struct {
	Items []billingstore.Account `json:"items"`
}

// BillingRecordList is a page of imported billing rows.
type BillingRecordList struct {
	Items      []billingstore.StoredRecord `json:"items"`
	NextCursor string                      `json:"nextCursor,omitempty"`
}

// BillingAttributionList is cost per cluster per day.
type BillingAttributionList struct {
	Items []billingstore.Attribution `json:"items"`
}

// BillingReconcileRequest is the body of POST /api/v1/billing/reconcile.
type BillingReconcileRequest struct {
	OrganizationID string `json:"organizationId,omitempty"`
	AccountID      string `json:"accountId,omitempty"`
	From           string `json:"from,omitempty"`
	To             string `json:"to,omitempty"`
}

// BillingReconciliation is list vs effective vs billed cost per cluster.
type BillingReconciliation struct {
	Items []billing.Reconciliation `json:"items"`
}

var (
	billingFilterParams = []Param{
		orgParam,
		{Name: "accountId", Type: "string", Description: "only this billing account's rows"},
		{Name: "from", Type: "string", Description: "first day, YYYY-MM-DD"},
		{Name: "to", Type: "string", Description: "last day, YYYY-MM-DD"},
	}
	billingRecordParams = append(append([]Param{}, billingFilterParams...),
		Param{Name: "cluster", Type: "string", Description: "only rows attributed to this cluster"},
		Param{Name: "category", Type: "string", Description: "only this FOCUS ChargeCategory", Enum: chargeCategories},
		Param{Name: "limit", Type: "integer", Description: "page size (default 50, at most 500)"},
		Param{Name: "cursor", Type: "string", Description: "nextCursor of the previous page"})
	billingImportParams = []Param{
		orgParam,
		{Name: "accountId", Type: "string", Description: "the billing account, required"},
		{Name: "period", Type: "string", Description: "the billing month, YYYY-MM, required; importing it again replaces it"},
		{Name: "format", Type: "string", Description: "the file's format (default: the account's, else detected)", Enum: billing.FormatNames()},
	}
	chargeCategories = []string{billing.CategoryUsage, billing.CategoryPurchase, billing.CategoryTax, billing.CategoryCredit, billing.CategoryAdjustment}
	dayRE            = regexp.MustCompile(`^[0-9]{4}-[0-9]{2}-[0-9]{2}$`)
)

// billingStore is the billing data of the API's database. Billing routes
// are not answered from the read cache, so their writes need not bump its
// generation: the store under the cache's wrapper is used directly.
func (a *API) billingStore() (*billingstore.Store, error) {
	var under capsule.Store = a.cfg.Store
	if gs, ok := under.(*genStore); ok {
		under = gs.Store
	}
	src, ok := under.(interface{ Database() *database.DB })
	if !ok {
		return nil, capsule.Errorf(capsule.KindNotImplemented, capsule.CodeNotImplemented, "this server keeps no billing data")
	}
	return billingstore.New(src), nil
}

// billingOrg is the organization a billing request acts in: the one the
// guard resolved, else the caller's only organization.
func billingOrg(r *http.Request) (string, error) {
	org := clusterOrg(r)
	if org == "" {
		org = r.URL.Query().Get("organizationId")
	}
	if org == "" {
		if ids := CallerFrom(r.Context()).OrgIDs(); len(ids) == 1 {
			org = ids[0]
		}
	}
	if org == "" {
		return "", invalid(capsule.CodeInvalidParameter, "organizationId", "is required when you belong to several organizations")
	}
	return org, nil
}

// billingFilter reads the common filters; visible is false when the
// caller is not a member of the organization (a list of another tenant
// answers empty, as every list does).
func billingFilter(r *http.Request) (billingstore.Filter, bool, error) {
	q := r.URL.Query()
	org, err := billingOrg(r)
	if err != nil {
		return billingstore.Filter{}, false, err
	}
	f := billingstore.Filter{OrganizationID: org, AccountID: q.Get("accountId"), Cluster: q.Get("cluster"),
		Category: q.Get("category"), From: q.Get("from"), To: q.Get("to")}
	if err := checkDays(f.From, f.To); err != nil {
		return f, false, err
	}
	return f, CallerFrom(r.Context()).IsMember(org), nil
}

func checkDays(from, to string) error {
	for _, d := range []struct{ name, v string }{{"from", from}, {"to", to}} {
		if d.v != "" && !dayRE.MatchString(d.v) {
			return invalid(capsule.CodeInvalidParameter, d.name, "%q is not a day (YYYY-MM-DD)", d.v)
		}
	}
	return nil
}

func (a *API) createBillingAccount(w http.ResponseWriter, r *http.Request) error {
	st, err := a.billingStore()
	if err != nil {
		return err
	}
	var req BillingAccountRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	org, err := billingOrg(r)
	if err != nil {
		return err
	}
	acct := &billingstore.Account{OrganizationID: org, Name: req.Name, Provider: req.Provider, Format: req.Format}
	if err := a.sealBillingSource(r, acct, req.Source); err != nil {
		return err
	}
	if err := st.CreateAccount(r.Context(), acct); err != nil {
		a.access.dropSecret(r.Context(), acct.SourceSecretID)
		return err
	}
	writeJSON(w, http.StatusCreated, acct)
	return nil
}

func (a *API) listBillingAccounts(w http.ResponseWriter, r *http.Request) error {
	st, err := a.billingStore()
	if err != nil {
		return err
	}
	f, visible, err := billingFilter(r)
	if err != nil || !visible {
		writeJSON(w, http.StatusOK, BillingAccountList{Items: []billingstore.Account{}})
		return err
	}
	items, err := st.ListAccounts(r.Context(), f.OrganizationID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, BillingAccountList{Items: items})
	return nil
}

func (a *API) importBilling(w http.ResponseWriter, r *http.Request) error {
	st, err := a.billingStore()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	org, err := billingOrg(r)
	if err != nil {
		return err
	}
	if q.Get("accountId") == "" {
		return invalid(capsule.CodeInvalidParameter, "accountId", "is required")
	}
	acct, err := st.FindAccount(r.Context(), q.Get("accountId"))
	if err != nil {
		return err
	}
	if acct.OrganizationID != org {
		return capsule.NotFound("billing account", q.Get("accountId"))
	}
	format := acct.Format
	if f, err := enumParam(q, "format", billing.FormatNames()); err != nil {
		return err
	} else if f != "" {
		format = f
	}
	up := &uploadBody{rc: r.Body}
	r.Body = up
	body, err := importBody(r)
	if err != nil {
		return up.cause(err)
	}
	rd, err := billing.NewReader(body, format)
	if err != nil {
		return up.cause(invalid(capsule.CodeValidation, "file", "%v", err))
	}
	defer rd.Close()
	im, err := st.ReplaceImport(r.Context(), acct, q.Get("period"), rd)
	if err != nil {
		return up.cause(err)
	}
	writeJSON(w, http.StatusCreated, im)
	return nil
}

func (a *API) listBillingRecords(w http.ResponseWriter, r *http.Request) error {
	st, err := a.billingStore()
	if err != nil {
		return err
	}
	p, err := pageParam(r.URL.Query())
	if err != nil {
		return err
	}
	if _, err := enumParam(r.URL.Query(), "category", chargeCategories); err != nil {
		return err
	}
	f, visible, err := billingFilter(r)
	if err != nil {
		return err
	}
	out := BillingRecordList{Items: []billingstore.StoredRecord{}}
	if visible {
		if out.Items, out.NextCursor, err = st.Records(r.Context(), f, p.Limit, p.Cursor); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) billingAttributions(w http.ResponseWriter, r *http.Request) error {
	st, err := a.billingStore()
	if err != nil {
		return err
	}
	f, visible, err := billingFilter(r)
	if err != nil {
		return err
	}
	out := BillingAttributionList{Items: []billingstore.Attribution{}}
	if visible {
		if out.Items, err = st.Attributions(r.Context(), f); err != nil {
			return err
		}
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (a *API) reconcileBilling(w http.ResponseWriter, r *http.Request) error {
	st, err := a.billingStore()
	if err != nil {
		return err
	}
	var req BillingReconcileRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if err := checkDays(req.From, req.To); err != nil {
		return err
	}
	org, err := billingOrg(r)
	if err != nil {
		return err
	}
	items, err := st.Reconcile(r.Context(), billingstore.Filter{OrganizationID: org, AccountID: req.AccountID, From: req.From, To: req.To})
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, BillingReconciliation{Items: items})
	return nil
}

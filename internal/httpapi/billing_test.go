package httpapi_test

import (
	"bytes"
	"encoding/json"
	"io"
	"mime/multipart"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/rbac"
)

// sendRaw posts a file body as it is, with contentType.
func sendRaw(t testing.TB, e *env, path, token, contentType string, body []byte) (int, []byte) {
	t.Helper()
	req, err := http.NewRequest(http.MethodPost, e.srv.URL+path, bytes.NewReader(body))
	must(t, err)
	req.Header.Set("Authorization", "Bearer "+token)
	req.Header.Set("Content-Type", contentType)
	resp, err := e.srv.Client().Do(req)
	must(t, err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	must(t, err)
	return resp.StatusCode, out
}

// TestBillingImportFlow: an owner creates an account and imports a CUR
// month; records, attributions and the reconciliation read it back; the
// month imported again (multipart) replaces it; both imports are in the
// audit log; another organization's owner sees nothing of it.
func TestBillingImportFlow(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		e, owner := tm.e, tm.tokens[rbac.Owner]
		st, out := send(t, e, "POST", "/api/v1/billing/accounts", bearer(owner),
			map[string]string{"organizationId": e.orgID, "name": "aws-payer", "provider": "aws"})
		if st != http.StatusCreated {
			t.Fatalf("account: %d %s", st, out)
		}
		var acct struct{ ID string }
		must(t, json.Unmarshal(out, &acct))
		cur, err := os.ReadFile("../billing/testdata/cur2.csv")
		must(t, err)
		base := "/api/v1/billing/imports?organizationId=" + e.orgID + "&accountId=" + acct.ID + "&period=2026-11"
		st, out = sendRaw(t, e, base, owner, "text/csv", cur)
		if st != http.StatusCreated || !strings.Contains(string(out), `"effectiveCostTotal":"7.9501"`) {
			t.Fatalf("import: %d %s", st, out)
		}
		st, out = send(t, e, "GET", "/api/v1/billing/records?organizationId="+e.orgID+"&limit=5", bearer(owner), nil)
		var page struct {
			Items      []map[string]any
			NextCursor string
		}
		must(t, json.Unmarshal(out, &page))
		if st != http.StatusOK || len(page.Items) != 5 || page.NextCursor == "" {
			t.Fatalf("records: %d %s", st, out)
		}
		st, out = send(t, e, "GET", "/api/v1/billing/attributions?organizationId="+e.orgID, bearer(tm.tokens[rbac.Admin]), nil)
		if st != http.StatusOK || !strings.Contains(string(out), `{"cluster":"prod","day":"2026-11-01","effectiveCost":"2.40","billedCost":"1.00"}`) {
			t.Fatalf("attributions: %d %s", st, out)
		}
		st, out = send(t, e, "POST", "/api/v1/billing/reconcile", bearer(owner), map[string]string{"organizationId": e.orgID, "accountId": acct.ID})
		if st != http.StatusOK || !strings.Contains(string(out), `"cluster":"prod","list_cost":"3.00","effective_cost":"2.40"`) {
			t.Fatalf("reconcile: %d %s", st, out)
		}

		var form bytes.Buffer
		mw := multipart.NewWriter(&form)
		fw, err := mw.CreateFormFile("file", "cur.csv")
		must(t, err)
		_, _ = fw.Write([]byte("line_item_line_item_type,line_item_usage_start_date,line_item_unblended_cost,resource_tags\n" +
			"Usage,2026-11-03T00:00:00Z,7.5,\"{\"\"aws_eks_cluster_name\"\":\"\"prod\"\"}\"\n"))
		must(t, mw.Close())
		st, out = sendRaw(t, e, base, owner, mw.FormDataContentType(), form.Bytes())
		if st != http.StatusCreated || !strings.Contains(string(out), `"rows":1`) {
			t.Fatalf("re-import: %d %s", st, out)
		}
		st, out = send(t, e, "GET", "/api/v1/billing/attributions?organizationId="+e.orgID, bearer(owner), nil)
		if st != http.StatusOK || string(out) != `{"items":[{"cluster":"prod","day":"2026-11-03","effectiveCost":"7.50","billedCost":"7.50"}]}`+"\n" {
			t.Fatalf("after re-import: %d %s", st, out)
		}
		st, out = send(t, e, "GET", "/api/v1/audit/logs?organizationId="+e.orgID+"&action=billing.imports.create", bearer(owner), nil)
		if st != http.StatusOK || strings.Count(string(out), `"action":"billing.imports.create"`) != 2 {
			t.Fatalf("audit: %d %s", st, out)
		}

		// Bad input is named; another tenant sees an empty list.
		st, out = sendRaw(t, e, base, owner, "text/csv", []byte("when,amount\n2026-11-01,1\n"))
		if st != http.StatusBadRequest || !strings.Contains(string(out), "unrecognized billing file: columns seen") {
			t.Fatalf("bad file: %d %s", st, out)
		}
		st, out = sendRaw(t, e, strings.Replace(base, "2026-11", "2026-13", 1), owner, "text/csv", cur)
		if st != http.StatusBadRequest || !strings.Contains(string(out), "period") {
			t.Fatalf("bad period: %d %s", st, out)
		}
		st, out = send(t, e, "GET", "/api/v1/billing/attributions?organizationId="+e.orgID, bearer(tm.strangerToken(t)), nil)
		if st != http.StatusOK || string(out) != `{"items":[]}`+"\n" {
			t.Fatalf("stranger: %d %s", st, out)
		}
	})
}

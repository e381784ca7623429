package httpapi_test

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"strings"
	"testing"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/allocationstore"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestCostRoutes: allocation rows of today are summarized per group with
// money as decimal strings, idle and shared apart; a spike after a quiet
// month is an anomaly in the plan's snake_case shape; bad parameters are
// 400 INVALID_PARAMETER naming the parameter; another organization's
// owner sees empty answers.
func TestCostRoutes(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		e, owner := tm.e, tm.tokens[rbac.Owner]
		ctx := context.Background()
		c := &capsule.Cluster{OrganizationID: e.orgID, Name: "prod-eks"}
		must(t, e.st.CreateCluster(ctx, c))
		today := time.Now().UTC().Truncate(24 * time.Hour)
		var rows []allocation.Row
		for i := 20; i >= 0; i-- {
			day := today.AddDate(0, 0, -i).Format("2006-01-02")
			v := int64(10_000_000_000)
			if i == 0 {
				v = 50_000_000_000
			}
			rows = append(rows,
				allocation.Row{ClusterID: c.ID, Day: day, Namespace: "shop", Workload: "Deployment/api", Team: "payments", CPUCost: v},
				allocation.Row{ClusterID: c.ID, Day: day, Namespace: "kube-system", Workload: "DaemonSet/proxy", CPUCost: 1_000_000_000},
				allocation.Row{ClusterID: c.ID, Day: day, Workload: allocation.Idle, MemoryCost: 2_000_000_000})
		}
		must(t, allocationstore.New(e.st).Insert(ctx, e.orgID, rows))

		st, out := send(t, e, "GET", "/api/v1/costs/summary?group=team&window=1d&organizationId="+e.orgID, bearer(tm.tokens[rbac.Admin]), nil)
		if st != http.StatusOK || !strings.Contains(string(out), `"currency":"USD","groups":[{"name":"payments","cpu_cost":"50.00","memory_cost":"0.00","shared_cost":"1.00","total_cost":"51.00","efficiency":null}],"idle":"2.00","shared":"1.00"`) {
			t.Fatalf("summary: %d %s", st, out)
		}
		st, out = send(t, e, "GET", "/api/v1/costs/anomalies?window=21d&organizationId="+e.orgID, bearer(owner), nil)
		var anoms []map[string]any
		must(t, json.Unmarshal(out, &anoms))
		if st != http.StatusOK || len(anoms) != 2 || anoms[0]["anomaly_type"] != "spike" || anoms[0]["delta_usd"] != "40.00" ||
			anoms[0]["cluster_id"] != c.ID || anoms[0]["confirmed_by_bill"] != false {
			t.Fatalf("anomalies: %d %s", st, out)
		}
		for _, bad := range []struct{ query, param string }{{"group=colour", "group"}, {"window=30", "window"}, {"window=999d", "window"}} {
			st, out = send(t, e, "GET", "/api/v1/costs/summary?organizationId="+e.orgID+"&"+bad.query, bearer(owner), nil)
			if st != http.StatusBadRequest || !strings.Contains(string(out), capsule.CodeInvalidParameter) || !strings.Contains(string(out), bad.param) {
				t.Errorf("%s: %d %s", bad.query, st, out)
			}
		}
		other := tm.strangerToken(t)
		st, out = send(t, e, "GET", "/api/v1/costs/anomalies?organizationId="+e.orgID, bearer(other), nil)
		if st == http.StatusOK && strings.TrimSpace(string(out)) != "[]" {
			t.Fatalf("another organization sees anomalies: %d %s", st, out)
		}
	})
}

// TestBudgets: an owner creates a team budget (audited), the list shows
// this month's cost to date against it; a bad scope is 400 naming it, a
// second budget of the same name 409.
func TestBudgets(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		e, owner := tm.e, tm.tokens[rbac.Owner]
		today := time.Now().UTC().Format("2006-01-02")
		must(t, allocationstore.New(e.st).Insert(context.Background(), e.orgID, []allocation.Row{
			{ClusterID: "c1", Day: today, Namespace: "shop", Workload: "Deployment/api", Team: "payments", CPUCost: 150 * 1_000_000_000}}))
		body := map[string]any{"organizationId": e.orgID, "scope": "team", "name": "payments", "monthly_amount": "100", "thresholds": []int{50, 100, 200}}
		st, out := send(t, e, "POST", "/api/v1/budgets", bearer(owner), body)
		if st != http.StatusCreated || !strings.Contains(string(out), `"thresholds":[50,100,200]`) {
			t.Fatalf("create: %d %s", st, out)
		}
		if st, out = send(t, e, "POST", "/api/v1/budgets", bearer(owner), body); st != http.StatusConflict {
			t.Fatalf("duplicate: %d %s", st, out)
		}
		body["scope"] = "galaxy"
		if st, out = send(t, e, "POST", "/api/v1/budgets", bearer(owner), body); st != http.StatusBadRequest || !strings.Contains(string(out), "scope") {
			t.Fatalf("bad scope: %d %s", st, out)
		}
		st, out = send(t, e, "GET", "/api/v1/budgets?organizationId="+e.orgID, bearer(owner), nil)
		if st != http.StatusOK || !strings.Contains(string(out), `"month_to_date":"150.00"`) || !strings.Contains(string(out), `"breached":[50,100]`) {
			t.Fatalf("list: %d %s", st, out)
		}
		if entries := tm.auditEntries(t, e.orgID, ""); !strings.Contains(fmt.Sprint(entries), "budgets") {
			t.Fatalf("no audit entry for the budget: %+v", entries)
		}
	})
}

package cli

import (
	"context"
	"encoding/json"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/allocation"
	"github.com/usecapsule/capsule/internal/allocationstore"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// TestCostReportFromServer: allocation rows in a real control plane's
// database are reported per team as a table and as JSON with the API's
// keys; an unknown --by is a usage error naming the choices.
func TestCostReportFromServer(t *testing.T) {
	dir := t.TempDir()
	url := startServerIn(t, dir)
	t.Setenv("CAPSULE_CONFIG", t.TempDir()+"/config.yaml")
	t.Setenv("CAPSULE_PASSWORD", "")
	t.Setenv("CAPSULE_API_KEY", "")
	if r := run(t, testPassword+"\n", "login", "--server", url, "--password-stdin"); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.err)
	}
	c, _, err := clientFromConfig("")
	if err != nil {
		t.Fatal(err)
	}
	var orgs struct{ Items []struct{ ID string } }
	if err := c.Do(context.Background(), "GET", "/api/v1/organizations", nil, &orgs); err != nil || len(orgs.Items) != 1 {
		t.Fatalf("organizations: %v %+v", err, orgs)
	}
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(dir, "capsule.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	day := time.Now().UTC().Format("2006-01-02")
	err = allocationstore.New(st).Insert(ctx, orgs.Items[0].ID, []allocation.Row{
		{ClusterID: "c1", Day: day, Namespace: "shop", Workload: "Deployment/api", Team: "payments", CPUCost: 12_345_000_000, MemoryCost: 1_000_000_000,
			UsageCost: 6_672_500_000, MeteredCost: 13_345_000_000},
		{ClusterID: "c1", Day: day, Namespace: "search", Workload: "StatefulSet/es", Team: "discovery", CPUCost: 2_000_000_000},
	})
	st.Close()
	if err != nil {
		t.Fatal(err)
	}
	r := run(t, "", "cost", "report", "--by", "team", "--window", "7d")
	if r.code != 0 || !strings.Contains(r.out, "payments") || !strings.Contains(r.out, "13.35") || !strings.Contains(r.out, "50%") {
		t.Fatalf("table: exit %d: %s %s", r.code, r.out, r.err)
	}
	r = run(t, "", "cost", "report", "--by", "team", "-o", "json")
	var doc map[string]any
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil || r.code != 0 {
		t.Fatalf("json: %v %s %s", err, r.out, r.err)
	}
	groups, _ := doc["groups"].([]any)
	if doc["currency"] != "USD" || len(groups) != 2 || groups[1].(map[string]any)["total_cost"] != "2.00" || doc["idle"] != "0.00" {
		t.Fatalf("json: %s", r.out)
	}
	r = run(t, "", "cost", "report", "--by", "colour")
	if r.code != ExitUsage || !strings.Contains(r.err, "team|project") {
		t.Fatalf("bad --by: exit %d %s", r.code, r.err)
	}
}

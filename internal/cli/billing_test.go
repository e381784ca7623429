package cli

import (
	"bytes"
	"compress/gzip"
	"context"
	"encoding/json"
	"os"
	"strings"
	"testing"
)

const billingFixtures = "../billing/testdata/"

// TestBillingAnalyzeJSONContract checks the exact keys and shapes of
// `capsule billing analyze -o json`.
func TestBillingAnalyzeJSONContract(t *testing.T) {
	r := run(t, "", "billing", "analyze", billingFixtures+"cur2.csv", "-o", "json")
	if r.code != ExitOK {
		t.Fatalf("exit %d: %s", r.code, r.err)
	}
	var doc struct {
		Rows      *int    `json:"rows"`
		Billed    *string `json:"billed_cost_total"`
		Effective *string `json:"effective_cost_total"`
		Clusters  map[string]struct {
			EffectiveCost string            `json:"effective_cost"`
			Days          map[string]string `json:"days"`
		} `json:"clusters"`
		Anomalies []map[string]any `json:"anomalies"`
	}
	if err := json.Unmarshal([]byte(r.out), &doc); err != nil {
		t.Fatalf("%v\n%s", err, r.out)
	}
	if doc.Rows == nil || *doc.Rows != 12 || *doc.Billed != "132.7501" || *doc.Effective != "7.9501" {
		t.Fatalf("%s", r.out)
	}
	if c := doc.Clusters["prod-eu-1"]; c.EffectiveCost != "1.05" || c.Days["2026-11-02"] != "1.05" {
		t.Fatalf("%s", r.out)
	}
	if doc.Anomalies == nil || !strings.Contains(r.out, `"anomalies": []`) {
		t.Fatalf("anomalies must be [] not null: %s", r.out)
	}
}

// TestBillingAnalyzeStdinGzip reads "-" and recognises gzip by its bytes;
// --format forces the reader.
func TestBillingAnalyzeStdinGzip(t *testing.T) {
	data, err := os.ReadFile(billingFixtures + "gcp.jsonl")
	if err != nil {
		t.Fatal(err)
	}
	var z bytes.Buffer
	zw := gzip.NewWriter(&z)
	_, _ = zw.Write(data)
	_ = zw.Close()
	r := run(t, z.String(), "billing", "analyze", "-", "--format", "gcp", "-o", "json")
	if r.code != ExitOK || !strings.Contains(r.out, `"effective_cost_total": "3.299999"`) {
		t.Fatalf("exit %d: %s %s", r.code, r.out, r.err)
	}
	r = run(t, "", "billing", "analyze", billingFixtures+"focus-1.0.csv")
	if r.code != ExitOK || !strings.Contains(r.out, "prod-eu") || !strings.Contains(r.out, "ANOMALY") {
		t.Fatalf("table: exit %d: %s %s", r.code, r.out, r.err)
	}
}

func TestBillingAnalyzeErrors(t *testing.T) {
	for _, tc := range []struct {
		stdin string
		args  []string
		code  int
		msg   string
	}{
		{"", []string{"billing", "analyze", "x.csv", "--format", "oracle"}, ExitUsage, `unknown --format "oracle" (want aws-cur|azure|focus|gcp)`},
		{"", []string{"billing", "analyze", "x.csv", "-o", "xml"}, ExitUsage, "unknown output format"},
		{"", []string{"billing", "analyze"}, ExitUsage, "accepts 1 arg"},
		{"", []string{"billing", "analyze", "/nonexistent/bill.csv"}, ExitError, "no such file"},
		{"when,amount\n2026-11-01,3\n", []string{"billing", "analyze", "-"}, ExitError, `<stdin>: unrecognized billing file: columns seen: "when", "amount"`},
	} {
		r := run(t, tc.stdin, tc.args...)
		if r.code != tc.code || !strings.Contains(r.err, tc.msg) {
			t.Errorf("%v: exit %d, stderr %q; want %d and %q", tc.args, r.code, r.err, tc.code, tc.msg)
		}
	}
}

// TestBillingImportToServer imports a CUR file into a billing account of a
// real control plane, twice: the month is replaced, not doubled.
func TestBillingImportToServer(t *testing.T) {
	url := startServer(t)
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
	var acct struct{ ID string }
	if err := c.Do(context.Background(), "POST", "/api/v1/billing/accounts", map[string]string{"name": "aws", "provider": "aws"}, &acct); err != nil {
		t.Fatal(err)
	}
	for i := 0; i < 2; i++ {
		r := run(t, "", "billing", "import", billingFixtures+"cur2.csv", "--account", acct.ID, "--period", "2026-11", "-o", "json")
		if r.code != 0 || !strings.Contains(r.out, `"rows": 12`) || !strings.Contains(r.out, `"effectiveCostTotal": "7.9501"`) {
			t.Fatalf("import %d: exit %d: %s %s", i, r.code, r.out, r.err)
		}
	}
	var att struct{ Items []map[string]string }
	if err := c.Do(context.Background(), "GET", "/api/v1/billing/attributions", nil, &att); err != nil {
		t.Fatal(err)
	}
	if len(att.Items) != 3 || att.Items[1]["cluster"] != "prod" || att.Items[1]["effectiveCost"] != "2.40" {
		t.Fatalf("%+v", att.Items)
	}
	r := run(t, "", "billing", "import", billingFixtures+"cur2.csv", "--account", acct.ID)
	if r.code != ExitUsage || !strings.Contains(r.err, "--period") {
		t.Fatalf("no period: exit %d %s", r.code, r.err)
	}
}

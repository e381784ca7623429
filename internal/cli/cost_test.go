package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func costRun(t *testing.T, args ...string) (int, string, string) {
	t.Helper()
	var out, errOut bytes.Buffer
	code := Main(context.Background(), args, strings.NewReader(""), &out, &errOut)
	return code, out.String(), errOut.String()
}

func TestCostEstimateTableAndJSON(t *testing.T) {
	objs := filepath.Join("..", "cost", "testdata", "defaults", "objects.yaml")
	code, out, errOut := costRun(t, "cost", "estimate", objs)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	for _, want := range []string{"Deployment/web", "2 (max 6)", "TOTAL (USD/month)", "940.22", "919.05–953.69", "Estimated inputs:"} {
		if !strings.Contains(out, want) {
			t.Errorf("table lacks %q:\n%s", want, out)
		}
	}
	code, out, _ = costRun(t, "cost", "estimate", objs, "-o", "json")
	var rep struct {
		Monthly  json.Number `json:"monthly"`
		Currency string      `json:"currency"`
	}
	if code != ExitOK || json.Unmarshal([]byte(out), &rep) != nil || rep.Monthly != "940.22" || rep.Currency != "USD" {
		t.Fatalf("json: exit %d, %+v\n%s", code, rep, out)
	}
}

func TestCostEstimateStdin(t *testing.T) {
	var out, errOut bytes.Buffer
	in := strings.NewReader("apiVersion: v1\nkind: Service\nmetadata: {name: lb}\nspec: {type: LoadBalancer}\n")
	code := Main(context.Background(), []string{"cost", "estimate", "-", "-o", "json"}, in, &out, &errOut)
	if code != ExitOK || !strings.Contains(out.String(), `"monthly": 18.25`) {
		t.Fatalf("exit %d: %s%s", code, out.String(), errOut.String())
	}
}

func TestCostEstimateWithStateAndPricing(t *testing.T) {
	dir := filepath.Join("..", "cost", "testdata")
	code, out, errOut := costRun(t, "cost", "estimate", filepath.Join(dir, "delta", "proposed.yaml"),
		"--cluster-state", filepath.Join(dir, "delta", "state"), "--pricing", filepath.Join(dir, "pricing", "pricing.yaml"))
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	if !strings.Contains(out, "Prices (pricing file): CPU 0.04 $/vCPU-h") {
		t.Errorf("pricing file not applied:\n%s", out)
	}
}

func TestCostEstimateErrors(t *testing.T) {
	bad := filepath.Join(t.TempDir(), "bad.yaml")
	if err := os.WriteFile(bad, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: Pod\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		args []string
		code int
		msg  string
	}{
		{[]string{"cost"}, ExitUsage, "missing subcommand"},
		{[]string{"cost", "estimate"}, ExitUsage, "requires at least 1 arg"},
		{[]string{"cost", "estimate", bad, "-o", "xml"}, ExitUsage, "unknown output format"},
		{[]string{"cost", "estimate", bad}, ExitError, "bad.yaml: document 1: required field missing: apiVersion"},
		{[]string{"cost", "estimate", filepath.Join("..", "cost", "testdata", "pricing", "objects.yaml"), "--pricing", bad}, ExitError, "unknown field"},
	}
	for _, c := range cases {
		code, _, errOut := costRun(t, c.args...)
		if code != c.code || !strings.Contains(errOut, c.msg) {
			t.Errorf("%v: exit %d, stderr %q; want exit %d and %q", c.args, code, errOut, c.code, c.msg)
		}
	}
}

package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

const boutique = "../preview/testdata/boutique/"

func runCLI(t *testing.T, args ...string) (code int, stdout, stderr string) {
	t.Helper()
	var out, errb bytes.Buffer
	code = Main(context.Background(), args, strings.NewReader(""), &out, &errb)
	return code, out.String(), errb.String()
}

func TestPreviewJSON(t *testing.T) {
	code, out, errOut := runCLI(t, "preview", "--from", boutique+"current", "--to", boutique+"proposed",
		"--cluster-state", boutique+"cluster", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatalf("not JSON: %v\n%s", err, out)
	}
	for _, k := range []string{"diff", "estimated_cost", "risk_level", "risks", "explanation"} {
		if _, ok := doc[k]; !ok {
			t.Errorf("missing top-level %q", k)
		}
	}
	if _, ok := doc["explanation_source"]; ok {
		t.Error("explanation_source present without an LLM")
	}
	var cost map[string]json.RawMessage
	json.Unmarshal(doc["estimated_cost"], &cost)
	for _, k := range []string{"baseline", "projected", "delta", "currency", "resources", "items"} {
		if _, ok := cost[k]; !ok {
			t.Errorf("estimated_cost lacks %q", k)
		}
	}
	var risks []map[string]any
	json.Unmarshal(doc["risks"], &risks)
	if len(risks) == 0 {
		t.Fatal("no risks")
	}
	for _, k := range []string{"rule", "category", "severity", "status", "resource", "path", "message"} {
		if _, ok := risks[0][k]; !ok {
			t.Errorf("risk lacks %q: %v", k, risks[0])
		}
	}
	if string(doc["risk_level"]) != `"high"` {
		t.Errorf("risk_level = %s", doc["risk_level"])
	}
}

func TestPreviewFailOn(t *testing.T) {
	args := []string{"preview", "--from", boutique + "current", "--to", boutique + "proposed", "-o", "text"}
	code, out, errOut := runCLI(t, append(args, "--fail-on", "high")...)
	if code != ExitPolicy {
		t.Fatalf("exit %d, want %d: %s", code, ExitPolicy, errOut)
	}
	if !strings.Contains(out, "Promotion preview: risk level HIGH") || !strings.Contains(errOut, "reaches --fail-on high") {
		t.Errorf("stdout/stderr:\n%s\n%s", out, errOut)
	}
	if code, _, errOut := runCLI(t, append(args, "--fail-on", "critical")...); code != ExitOK {
		t.Errorf("--fail-on critical: exit %d: %s", code, errOut)
	}
}

// TestPreviewCleanChangeIsLow: a change without findings has risk level low
// (one of the four levels) and does not trip even --fail-on low.
func TestPreviewCleanChangeIsLow(t *testing.T) {
	dir := t.TempDir()
	cm := filepath.Join(dir, "cm.yaml")
	if err := os.WriteFile(cm, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings}\ndata: {a: \"1\"}\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	code, out, errOut := runCLI(t, "preview", "--from", cm, "--to", cm, "--fail-on", "low", "-o", "json")
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal([]byte(out), &doc); err != nil {
		t.Fatal(err)
	}
	if string(doc["risk_level"]) != `"low"` {
		t.Errorf("risk_level = %s, want \"low\"", doc["risk_level"])
	}
}

func TestPreviewMarkdown(t *testing.T) {
	code, out, errOut := runCLI(t, "preview", "--from", boutique+"current", "--to", boutique+"proposed", "-o", "markdown")
	if code != ExitOK || !strings.HasPrefix(out, "## Promotion preview: risk level **high**") || !strings.Contains(out, "| `Deployment/frontend` |") {
		t.Errorf("exit %d, stderr %s\n%s", code, errOut, out)
	}
}

func TestPreviewErrors(t *testing.T) {
	dir := t.TempDir()
	bad := filepath.Join(dir, "bad.yaml")
	os.WriteFile(bad, []byte("apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [\n"), 0o644)
	pricing := filepath.Join(dir, "pricing.yaml")
	os.WriteFile(pricing, []byte("cpu: lots\n"), 0o644)
	for _, tc := range []struct {
		name string
		args []string
		code int
		msg  string
	}{
		{"missing --to", []string{"--from", boutique + "current"}, ExitUsage, "--from and --to are required"},
		{"bad yaml", []string{"--from", boutique + "current", "--to", bad}, ExitError, "bad.yaml: document 1"},
		{"no such dir", []string{"--from", dir + "/nope", "--to", bad}, ExitError, "--from:"},
		{"bad level", []string{"--from", bad, "--to", bad, "--fail-on", "severe"}, ExitUsage, `unknown risk level "severe"`},
		{"bad version", []string{"--from", bad, "--to", bad, "--kube-version", "latest"}, ExitUsage, "--kube-version"},
		{"bad format", []string{"--from", bad, "--to", bad, "-o", "yaml"}, ExitUsage, "unknown output format"},
		{"llm without model", []string{"--from", bad, "--to", bad, "--llm-url", "http://127.0.0.1:1/v1"}, ExitUsage, "--llm-model"},
		{"bad ignore rules", []string{"--from", boutique + "current", "--to", boutique + "proposed", "--ignore-differences", pricing}, ExitError, "--ignore-differences"},
		{"bad pricing", []string{"--from", boutique + "current", "--to", boutique + "proposed", "--pricing", pricing}, ExitError, "--pricing"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			code, _, errOut := runCLI(t, append([]string{"preview"}, tc.args...)...)
			if code != tc.code || !strings.Contains(errOut, tc.msg) {
				t.Errorf("exit %d (want %d), stderr %q (want %q)", code, tc.code, errOut, tc.msg)
			}
			if strings.Count(strings.TrimSpace(errOut), "\n") > 0 {
				t.Errorf("error is not one line: %q", errOut)
			}
		})
	}
}

// TestPreviewLLM runs the LLM explainer against a chat-completions server
// on 127.0.0.1 and checks that an invented number falls back with a warning.
func TestPreviewLLM(t *testing.T) {
	var answer string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.Header.Get("Authorization") != "Bearer from-env" {
			http.Error(w, "no key", http.StatusUnauthorized)
			return
		}
		json.NewEncoder(w).Encode(map[string]any{"choices": []any{map[string]any{"message": map[string]any{"role": "assistant", "content": answer}}}})
	}))
	defer srv.Close()
	t.Setenv("CAPSULE_LLM_API_KEY", "from-env")
	args := []string{"preview", "--from", boutique + "current", "--to", boutique + "proposed", "-o", "json", "--llm-url", srv.URL + "/v1", "--llm-model", "m"}

	answer = "Deployment/R1 changes."
	code, out, errOut := runCLI(t, args...)
	var doc struct {
		Explanation string
		Source      struct {
			Source         string `json:"source"`
			FallbackReason string `json:"fallback_reason"`
		} `json:"explanation_source"`
	}
	json.Unmarshal([]byte(out), &doc)
	if code != ExitOK || doc.Source.Source != "llm" || !strings.HasPrefix(doc.Explanation, "Deployment/") || strings.Contains(doc.Explanation, "R1") {
		t.Errorf("grounded answer: exit %d, %+v, stderr %s", code, doc, errOut)
	}

	answer = "This costs $4,321.99 more."
	code, out, errOut = runCLI(t, args...)
	json.Unmarshal([]byte(out), &doc)
	if code != ExitOK || doc.Source.Source != "deterministic" || !strings.Contains(errOut, "number 4321.99") {
		t.Errorf("invented number: exit %d, %+v, stderr %s", code, doc.Source, errOut)
	}
}

// TestPreviewIgnoreDifferences: an ignored field is neither a change nor a
// finding source of the diff.
func TestPreviewIgnoreDifferences(t *testing.T) {
	rules := filepath.Join(t.TempDir(), "ignore.yaml")
	os.WriteFile(rules, []byte("- group: apps\n  kind: Deployment\n  jsonPointers: [/spec/template/spec/containers/0/image]\n"), 0o644)
	code, out, errOut := runCLI(t, "preview", "--from", boutique+"current", "--to", boutique+"proposed", "-o", "json", "--ignore-differences", rules)
	if code != ExitOK {
		t.Fatalf("exit %d: %s", code, errOut)
	}
	var doc struct {
		Diff struct {
			Changes []struct{ Path string }
		}
	}
	json.Unmarshal([]byte(out), &doc)
	if len(doc.Diff.Changes) == 0 {
		t.Fatal("no changes left at all")
	}
	for _, c := range doc.Diff.Changes {
		if strings.HasSuffix(c.Path, "/image") {
			t.Errorf("ignored image change reported: %s", c.Path)
		}
	}
}

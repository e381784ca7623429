package httpapi_test

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// manifestsOf concatenates the YAML files of a directory into one
// multi-document text, as an API client would send them.
func manifestsOf(t *testing.T, dir string) string {
	t.Helper()
	files, err := filepath.Glob(filepath.Join(dir, "*.yaml"))
	if err != nil || len(files) == 0 {
		t.Fatalf("no manifests in %s: %v", dir, err)
	}
	var b strings.Builder
	for _, f := range files {
		data, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		b.WriteString("---\n")
		b.Write(data)
	}
	return b.String()
}

// TestPreviews posts the Online Boutique style demo, reads the stored
// artifact and its parts back, and checks the input errors.
func TestPreviews(t *testing.T) {
	const demo = "../preview/testdata/boutique/"
	body := map[string]any{
		"current":      manifestsOf(t, demo+"current"),
		"proposed":     manifestsOf(t, demo+"proposed"),
		"clusterState": manifestsOf(t, demo+"cluster"),
	}
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		created := e.do(t, call{method: "POST", path: "/api/v1/previews", body: body})
		if created.status != 201 {
			t.Fatalf("POST: %d %s", created.status, created.raw)
		}
		for _, k := range []string{"id", "organizationId", "createdAt", "diff", "estimated_cost", "risk_level", "risks", "explanation"} {
			if _, ok := created.json[k]; !ok {
				t.Errorf("response lacks %q", k)
			}
		}
		if created.json["risk_level"] != "high" || created.json["organizationId"] != e.orgID {
			t.Errorf("risk_level %v, organizationId %v", created.json["risk_level"], created.json["organizationId"])
		}
		e.vars["pv"] = created.json["id"].(string)
		got := e.do(t, call{method: "GET", path: "/api/v1/previews/{pv}"})
		if got.status != 200 || !bytes.Equal(got.raw, created.raw) {
			t.Errorf("GET differs from POST (%d):\n%s\n---\n%s", got.status, got.raw, created.raw)
		}
		checkParts(t, e, created.json)
		e.run(t, []call{
			{name: "unknown preview", method: "GET", path: "/api/v1/previews/0190a0a0-0000-7000-8000-000000000000", status: 404, code: "PREVIEW_NOT_FOUND"},
			{name: "not a uuid", method: "GET", path: "/api/v1/previews/nope/risk", status: 404, code: "PREVIEW_NOT_FOUND"},
			{name: "proposed missing", method: "POST", path: "/api/v1/previews", body: `{"current":""}`, status: 400, code: "VALIDATION_FAILED", check: wantFields("proposed")},
			{name: "bad yaml", method: "POST", path: "/api/v1/previews", body: map[string]string{"current": "kind: [\n", "proposed": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\n"},
				status: 400, code: "VALIDATION_FAILED", check: func(t *testing.T, r *result) {
					wantFields("current", "proposed")(t, r)
					if !strings.Contains(string(r.raw), "proposed: document 1") {
						t.Errorf("error does not name the document: %s", r.raw)
					}
				}},
			{name: "bad cluster state", method: "POST", path: "/api/v1/previews", body: map[string]string{"proposed": "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", "clusterState": "apiVersion: v1\nkind: Node\nmetadata: {name: n}\nstatus: {allocatable: {cpu: lots}}\n"},
				status: 400, code: "VALIDATION_FAILED", check: wantFields("clusterState")},
			{name: "unknown project", method: "POST", path: "/api/v1/previews", body: `{"projectId":"0190a0a0-0000-7000-8000-000000000000","proposed":"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n"}`, status: 404, code: "PROJECT_NOT_FOUND"},
			{name: "bad quantity", method: "POST", path: "/api/v1/previews", body: map[string]string{"proposed": "apiVersion: apps/v1\nkind: Deployment\nmetadata: {name: w}\nspec: {template: {spec: {containers: [{name: c, image: x, resources: {requests: {cpu: lots}}}]}}}\n"},
				status: 400, code: "VALIDATION_FAILED", check: wantFields("proposed")},
			{name: "unknown field", method: "POST", path: "/api/v1/previews", body: `{"proposed":"","colour":"red"}`, status: 400},
		})
		stranger := e.login(t, mustUser(t, e, "other@example.com"), adminPassword).AccessToken
		e.run(t, []call{{name: "other tenant", method: "GET", path: "/api/v1/previews/{pv}", token: stranger, status: 404, code: "PREVIEW_NOT_FOUND"}})
	})
}

func mustUser(t *testing.T, e *env, email string) string {
	t.Helper()
	createUser(t, e.st, email, "other-org")
	return email
}

func checkParts(t *testing.T, e *env, whole map[string]any) {
	t.Helper()
	for path, keys := range map[string][]string{
		"/diff":        {"added", "removed", "modified", "changes"},
		"/cost":        {"baseline", "projected", "delta", "currency", "resources", "items"},
		"/risk":        {"risk_level", "risks", "not_assessed"},
		"/explanation": {"explanation"},
	} {
		r := e.do(t, call{method: "GET", path: "/api/v1/previews/{pv}" + path})
		if r.status != 200 {
			t.Errorf("GET %s: %d %s", path, r.status, r.raw)
			continue
		}
		for _, k := range keys {
			if _, ok := r.json[k]; !ok {
				t.Errorf("GET %s lacks %q: %s", path, k, r.raw)
			}
		}
	}
	r := e.do(t, call{method: "GET", path: "/api/v1/previews/{pv}/explanation"})
	if r.json["explanation"] != whole["explanation"] {
		t.Errorf("explanation part differs")
	}
	var a, b any
	json.Unmarshal(mustJSON(t, whole["risks"]), &a)
	json.Unmarshal(mustJSON(t, e.do(t, call{method: "GET", path: "/api/v1/previews/{pv}/risk"}).json["risks"]), &b)
	if string(mustJSON(t, a)) != string(mustJSON(t, b)) {
		t.Error("risk part differs from the whole")
	}
}

func mustJSON(t *testing.T, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

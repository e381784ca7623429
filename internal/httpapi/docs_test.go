package httpapi_test

import (
	"encoding/json"
	"io"
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"

	"gopkg.in/yaml.v3"
)

// TestDocumentMatchesRoutes fails when a route of the router is missing from
// the OpenAPI document or the document names an operation the router does
// not serve: every documented operation is sent to the real router, which
// must not answer with its own 404 or 405.
func TestDocumentMatchesRoutes(t *testing.T) {
	// With a metrics token, so that /metrics is served (401, not 404).
	e := newEnv(t, sqliteDSN(t), withMetricsToken)
	r := e.do(t, call{method: "GET", path: "/api/documentation.json", token: "-"})
	if r.status != 200 {
		t.Fatalf("document: %d", r.status)
	}
	var doc struct {
		OpenAPI string                               `json:"openapi"`
		Paths   map[string]map[string]map[string]any `json:"paths"`
	}
	if err := json.Unmarshal(r.raw, &doc); err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(doc.OpenAPI, "3.") {
		t.Fatalf("openapi version %q", doc.OpenAPI)
	}
	documented := map[string]bool{}
	for path, ops := range doc.Paths {
		for method := range ops {
			documented[strings.ToUpper(method)+" "+path] = true
		}
	}
	for _, rt := range e.api.Routes() {
		key := rt.Method + " " + rt.Path
		if !documented[key] {
			t.Errorf("route %s is missing from the document", key)
		}
		delete(documented, key)
	}
	for key := range documented {
		t.Errorf("document has %s, which is not in the route table", key)
	}
	param := regexp.MustCompile(`\{[a-z]+\}`)
	for path, ops := range doc.Paths {
		for method, op := range ops {
			concrete := strings.ReplaceAll(path, "{file}", "swagger-ui.css")
			concrete = param.ReplaceAllString(concrete, "1")
			res := e.do(t, call{method: strings.ToUpper(method), path: concrete, body: "{}"})
			if errObj, ok := res.json["error"].(map[string]any); ok {
				if c := errObj["code"]; (c == "NOT_FOUND" || c == "METHOD_NOT_ALLOWED") && !strings.Contains(path, "{file}") {
					t.Errorf("%s %s (documented) is not served by the router: %s", method, path, res.raw)
				}
			}
			if _, ok := op["responses"]; !ok {
				t.Errorf("%s %s has no responses", method, path)
			}
		}
	}
	if op := doc.Paths["/api/v1/services/{id}/deploy"]["post"]; op["responses"].(map[string]any)["501"] != nil || op["responses"].(map[string]any)["202"] == nil {
		t.Errorf("deploy documents a 501, or no 202: %v", op)
	}
}

// TestDocumentYAMLEqualsJSON: both renderings carry the same document.
func TestDocumentYAMLEqualsJSON(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	var fromJSON, fromYAML any
	if err := json.Unmarshal(e.do(t, call{method: "GET", path: "/api/documentation.json", token: "-"}).raw, &fromJSON); err != nil {
		t.Fatal(err)
	}
	y := e.do(t, call{method: "GET", path: "/api/documentation.yaml", token: "-"})
	if err := yaml.Unmarshal(y.raw, &fromYAML); err != nil {
		t.Fatal(err)
	}
	// Round-trip the YAML value through JSON so number types compare equal.
	b, _ := json.Marshal(fromYAML)
	fromYAML = nil
	_ = json.Unmarshal(b, &fromYAML)
	if !reflect.DeepEqual(fromJSON, fromYAML) {
		t.Fatal("the YAML document differs from the JSON document")
	}
}

// TestSwaggerUIEmbedded: the UI page and its assets are served from the
// binary, with no CDN reference.
func TestSwaggerUIEmbedded(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	page := e.do(t, call{method: "GET", path: "/api/documentation", token: "-"})
	if page.status != 200 || !strings.Contains(string(page.raw), "SwaggerUIBundle") || strings.Contains(string(page.raw), "https://") {
		t.Fatalf("UI page: %d %s", page.status, page.raw)
	}
	for _, asset := range []string{"swagger-ui-bundle.js", "swagger-ui.css", "LICENSE"} {
		r := e.do(t, call{method: "GET", path: "/api/documentation/" + asset, token: "-"})
		if r.status != 200 || len(r.raw) < 1000 {
			t.Errorf("%s: status %d, %d bytes", asset, r.status, len(r.raw))
		}
	}
	e.run(t, []call{{name: "missing asset", method: "GET", path: "/api/documentation/nope.js", token: "-", status: 404}})
}

// TestOperations: health, readiness, metrics and request IDs.
func TestOperations(t *testing.T) {
	e := newEnv(t, sqliteDSN(t), withPoolStats, withMetricsToken)
	e.run(t, []call{
		{method: "GET", path: "/healthz", token: "-", status: 200, check: wantJSON("status", "ok")},
		{method: "GET", path: "/readyz", token: "-", status: 200, check: wantJSON("status", "ok")},
		{method: "GET", path: "/api/v1/projects", status: 200},
		{name: "request id generated", method: "GET", path: "/healthz", token: "-", status: 200, check: func(t *testing.T, r *result) {
			if len(r.header.Get("X-Request-ID")) != 32 {
				t.Fatalf("X-Request-ID %q", r.header.Get("X-Request-ID"))
			}
		}},
		{name: "request id kept", method: "GET", path: "/healthz", token: "-", header: map[string]string{"X-Request-ID": "abc-123"}, status: 200, check: wantHeader("X-Request-ID", "abc-123")},
	})
	req, _ := http.NewRequest("GET", e.srv.URL+"/metrics", nil)
	req.Header.Set("Authorization", "Bearer "+metricsToken)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	body, _ := io.ReadAll(resp.Body)
	resp.Body.Close()
	for _, want := range []string{
		`capsule_http_requests_total{code="200",route="GET /api/v1/projects"} 1`,
		`capsule_http_request_duration_seconds_bucket{code="200",route="GET /api/v1/projects",le="+Inf"} 1`,
		`capsule_db_open_connections{pool=`,
		`capsule_db_max_open_connections{pool=`,
	} {
		if !strings.Contains(string(body), want) {
			t.Errorf("metrics lack %s", want)
		}
	}
	e.st.Close()
	e.run(t, []call{{name: "not ready when the database is gone", method: "GET", path: "/readyz", token: "-", status: 503, code: "UNAVAILABLE"}})
}

package httpapi_test

import (
	"slices"
	"testing"
)

// wantFields checks that details.fields names exactly these fields.
func wantFields(fields ...string) func(*testing.T, *result) {
	return func(t *testing.T, r *result) {
		t.Helper()
		got := r.errFields()
		slices.Sort(got)
		slices.Sort(fields)
		if !slices.Equal(got, fields) {
			t.Fatalf("details.fields = %v, want %v: %s", got, fields, r.raw)
		}
	}
}

func wantItems(n int) func(*testing.T, *result) {
	return func(t *testing.T, r *result) {
		t.Helper()
		if got := len(r.items()); got != n {
			t.Fatalf("%d items, want %d: %s", got, n, r.raw)
		}
	}
}

func wantJSON(key string, want any) func(*testing.T, *result) {
	return func(t *testing.T, r *result) {
		t.Helper()
		if got := r.json[key]; got != want {
			t.Fatalf("%s = %v, want %v: %s", key, got, want, r.raw)
		}
	}
}

func wantHeader(name, want string) func(*testing.T, *result) {
	return func(t *testing.T, r *result) {
		t.Helper()
		if got := r.header.Get(name); got != want {
			t.Fatalf("header %s = %q, want %q", name, got, want)
		}
	}
}

// TestAPI walks every resource route through the real router and store:
// success paths, error mapping, validation, conflicts and preconditions.
func TestAPI(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.run(t, []call{
			// Authentication.
			{name: "login wrong password", method: "POST", path: "/api/v1/auth/login", token: "-", body: map[string]string{"email": adminEmail, "password": "wrong password!"}, status: 401, code: "INVALID_CREDENTIALS"},
			{name: "login unknown email", method: "POST", path: "/api/v1/auth/login", token: "-", body: map[string]string{"email": "nobody@example.com", "password": "wrong password!"}, status: 401, code: "INVALID_CREDENTIALS"},
			{name: "login missing fields", method: "POST", path: "/api/v1/auth/login", token: "-", body: `{}`, status: 400, code: "VALIDATION_FAILED", check: wantFields("email", "password")},
			{name: "no token", method: "GET", path: "/api/v1/projects", token: "-", status: 401, code: "UNAUTHENTICATED", check: wantHeader("WWW-Authenticate", `Bearer realm="capsule"`)},
			{name: "bad token", method: "GET", path: "/api/v1/projects", token: "not.a.jwt", status: 401, code: "UNAUTHENTICATED"},
			{name: "wrong scheme", method: "GET", path: "/api/v1/projects", token: "-", header: map[string]string{"Authorization": "Basic YTpi"}, status: 401, code: "UNAUTHENTICATED"},
			{name: "me", method: "GET", path: "/api/v1/auth/me", status: 200, check: wantJSON("email", adminEmail)},

			// Organizations.
			{method: "GET", path: "/api/v1/organizations", status: 200, check: wantItems(1)},
			{name: "create org", method: "POST", path: "/api/v1/organizations", body: `{"name":"Acme","slug":"acme"}`, status: 201, save: "org", check: wantHeader("ETag", `"1"`)},
			{name: "duplicate org slug", method: "POST", path: "/api/v1/organizations", body: `{"name":"Acme 2","slug":"acme"}`, status: 409, code: "ORGANIZATION_ALREADY_EXISTS"},
			{name: "org every bad field", method: "POST", path: "/api/v1/organizations", body: `{"name":"","slug":"Acme Corp","subscription":{"tier":"gold"}}`, status: 400, code: "VALIDATION_FAILED", check: wantFields("name", "slug", "subscription.tier")},
			{method: "GET", path: "/api/v1/organizations/{org}", status: 200, check: wantHeader("ETag", `"1"`)},
			{method: "GET", path: "/api/v1/organizations", status: 200, check: wantItems(2)},
			{name: "update org", method: "PUT", path: "/api/v1/organizations/{org}", body: `{"name":"Acme Inc","slug":"acme","version":1}`, status: 200, check: wantJSON("version", 2.0)},
			{name: "update org stale version", method: "PUT", path: "/api/v1/organizations/{org}", body: `{"name":"Acme","slug":"acme","version":1}`, status: 409, code: "VERSION_CONFLICT"},
			{name: "update org stale If-Match", method: "PUT", path: "/api/v1/organizations/{org}", header: map[string]string{"If-Match": `"1"`}, body: `{"name":"Acme","slug":"acme"}`, status: 412, code: "PRECONDITION_FAILED"},
			{name: "update org If-Match", method: "PUT", path: "/api/v1/organizations/{org}", header: map[string]string{"If-Match": `"2"`}, body: `{"name":"Acme","slug":"acme"}`, status: 200, check: wantHeader("ETag", `"3"`)},
			{name: "update org without version", method: "PUT", path: "/api/v1/organizations/{org}", body: `{"name":"Acme","slug":"acme"}`, status: 400, code: "VALIDATION_FAILED", check: wantFields("version")},
			{name: "update org other id", method: "PUT", path: "/api/v1/organizations/{org}", body: `{"id":"x","name":"Acme","slug":"acme","version":3}`, status: 400, check: wantFields("id")},

			// Projects.
			{name: "project in default org", method: "POST", path: "/api/v1/projects", body: `{"name":"Shop","slug":"shop"}`, status: 201, save: "shop", check: wantJSON("organizationId", e.orgID)},
			{name: "project in acme", method: "POST", path: "/api/v1/projects", body: `{"organizationId":"{org}","name":"Web","slug":"web","repository":{"url":"https://github.com/acme/web"}}`, status: 201, save: "web"},
			{name: "duplicate project slug", method: "POST", path: "/api/v1/projects", body: `{"organizationId":"{org}","name":"Web","slug":"web"}`, status: 409, code: "PROJECT_ALREADY_EXISTS"},
			{name: "unknown field", method: "POST", path: "/api/v1/projects", body: `{"name":"X","slug":"x","colour":"red"}`, status: 400, code: "UNKNOWN_FIELD", check: wantFields("colour")},
			{name: "malformed JSON", method: "POST", path: "/api/v1/projects", body: `{"name":"X",`, status: 400, code: "INVALID_JSON"},
			{name: "syntax error", method: "POST", path: "/api/v1/projects", body: `{"name" "X"}`, status: 400, code: "INVALID_JSON"},
			{name: "wrong JSON type", method: "POST", path: "/api/v1/projects", body: `{"name":42,"slug":"x"}`, status: 400, code: "INVALID_JSON", check: wantFields("name")},
			{name: "trailing data", method: "POST", path: "/api/v1/projects", body: `{"name":"X","slug":"x"} {}`, status: 400, code: "INVALID_JSON"},
			{name: "empty body", method: "POST", path: "/api/v1/projects", body: ``, status: 400, code: "INVALID_JSON"},
			{name: "project every bad field", method: "POST", path: "/api/v1/projects", body: `{"name":"","slug":"-bad-","repository":{"url":"::nope","provider":"svn"}}`, status: 400, code: "VALIDATION_FAILED", check: wantFields("name", "slug", "repository.url", "repository.provider")},
			{method: "GET", path: "/api/v1/projects", status: 200, check: wantItems(2)},
			{name: "filter by organization", method: "GET", path: "/api/v1/projects?organizationId={org}", status: 200, check: wantItems(1)},
			{name: "bad limit", method: "GET", path: "/api/v1/projects?limit=abc", status: 400, code: "INVALID_PARAMETER"},
			{method: "GET", path: "/api/v1/projects/{web}", status: 200, check: wantJSON("slug", "web")},
			{name: "update project", method: "PUT", path: "/api/v1/projects/{web}", body: `{"name":"Website","slug":"web","version":1}`, status: 200, check: wantJSON("name", "Website")},
			{name: "move project", method: "PUT", path: "/api/v1/projects/{web}", body: `{"organizationId":"{defaultOrg}","name":"Website","slug":"web","version":2}`, status: 400, check: wantFields("organizationId")},
			{name: "unknown project", method: "GET", path: "/api/v1/projects/0190aaaa-0000-7000-8000-000000000000", status: 404, code: "PROJECT_NOT_FOUND"},

			// Environments.
			{name: "create env", method: "POST", path: "/api/v1/environments", body: `{"projectId":"{web}","name":"staging","kind":"staging"}`, status: 201, save: "env", check: wantJSON("namespace", "staging")},
			{name: "duplicate env", method: "POST", path: "/api/v1/environments", body: `{"projectId":"{web}","name":"staging","kind":"staging"}`, status: 409},
			{name: "env not DNS", method: "POST", path: "/api/v1/environments", body: `{"projectId":"{web}","name":"Staging_1","kind":"qa","deliveryMode":"ftp"}`, status: 400, check: wantFields("name", "namespace", "kind", "deliveryMode")},
			{name: "env unknown project", method: "POST", path: "/api/v1/environments", body: `{"projectId":"0190aaaa-0000-7000-8000-000000000000","name":"prod","kind":"production"}`, status: 404, code: "PROJECT_NOT_FOUND"},
			{name: "env filter", method: "GET", path: "/api/v1/environments?projectId={web}&kind=staging", status: 200, check: wantItems(1)},
			{name: "env filter none", method: "GET", path: "/api/v1/environments?projectId={web}&kind=production", status: 200, check: wantItems(0)},
			{name: "env bad kind filter", method: "GET", path: "/api/v1/environments?kind=qa", status: 400, code: "INVALID_PARAMETER"},
			{method: "GET", path: "/api/v1/environments/{env}", status: 200, check: wantHeader("ETag", `"1"`)},
			{name: "update env", method: "PUT", path: "/api/v1/environments/{env}", body: `{"name":"staging","kind":"staging","deliveryMode":"gitops","version":1}`, status: 200, check: wantJSON("deliveryMode", "gitops")},

			// Services and revisions.
			{name: "create service", method: "POST", path: "/api/v1/services", body: `{"projectId":"{web}","name":"api","type":"api","source":{"repository":"https://github.com/acme/web","path":"api"},"configuration":{"env":{"LOG_LEVEL":"info"},"networking":{"port":8080}}}`, status: 201, save: "svc", check: wantJSON("revision", 1.0)},
			{name: "service not DNS", method: "POST", path: "/api/v1/services", body: `{"projectId":"{web}","name":"API_Server","type":"lambda","configuration":{"scaling":{"minReplicas":-1},"networking":{"port":70000}}}`, status: 400, check: wantFields("name", "type", "configuration.scaling.minReplicas", "configuration.networking.port")},
			{name: "duplicate service", method: "POST", path: "/api/v1/services", body: `{"projectId":"{web}","name":"api","type":"web"}`, status: 409},
			{name: "service type filter", method: "GET", path: "/api/v1/services?type=api", status: 200, check: wantItems(1)},
			{name: "service type filter none", method: "GET", path: "/api/v1/services?type=worker", status: 200, check: wantItems(0)},
			{name: "service project filter", method: "GET", path: "/api/v1/services?projectId={shop}", status: 200, check: wantItems(0)},
			{name: "service status filter", method: "GET", path: "/api/v1/services?status=inactive", status: 200, check: wantItems(1)},
			{name: "update service config", method: "PUT", path: "/api/v1/services/{svc}", body: `{"name":"api","type":"api","source":{"repository":"https://github.com/acme/web","path":"api"},"configuration":{"env":{"LOG_LEVEL":"debug","NEW":"1"},"networking":{"port":8080}},"version":1}`, status: 200, check: wantJSON("revision", 2.0)},
			{name: "list revisions", method: "GET", path: "/api/v1/services/{svc}/revisions", status: 200, check: wantItems(2)},
			{name: "get revision", method: "GET", path: "/api/v1/services/{svc}/revisions/2", status: 200, check: wantJSON("number", 2.0)},
			{name: "missing revision", method: "GET", path: "/api/v1/services/{svc}/revisions/9", status: 404},
			{name: "bad revision number", method: "GET", path: "/api/v1/services/{svc}/revisions/two", status: 400, code: "INVALID_PARAMETER"},
			{name: "compare revisions", method: "GET", path: "/api/v1/services/{svc}/revisions/compare?from=1&to=2", status: 200, check: wantChanges(
				change{"/configuration/env/LOG_LEVEL", "replace", "info", "debug"}, change{"/configuration/env/NEW", "add", nil, "1"})},
			{name: "compare without to", method: "GET", path: "/api/v1/services/{svc}/revisions/compare?from=1", status: 400, code: "INVALID_PARAMETER"},
			{name: "deploy without a body", method: "POST", path: "/api/v1/services/{svc}/deploy", status: 400, code: "INVALID_JSON"},
			{name: "rollback without an environment", method: "POST", path: "/api/v1/services/{svc}/rollback", body: `{}`, status: 400, code: "VALIDATION_FAILED"},
			{name: "scale without replicas", method: "POST", path: "/api/v1/services/{svc}/scale", body: `{}`, status: 400, code: "VALIDATION_FAILED"},
			{name: "deploy unknown service", method: "POST", path: "/api/v1/services/0190aaaa-0000-7000-8000-000000000000/deploy", status: 404, code: "SERVICE_NOT_FOUND"},

			// The router's own answers use the error shape too.
			{name: "unknown route", method: "GET", path: "/api/v1/nothing", status: 404, code: "NOT_FOUND"},
			{name: "wrong method", method: "PATCH", path: "/api/v1/projects", status: 405, code: "METHOD_NOT_ALLOWED"},

			// Deletes.
			{name: "delete service", method: "DELETE", path: "/api/v1/services/{svc}", status: 204},
			{name: "deleted service", method: "GET", path: "/api/v1/services/{svc}", status: 404, code: "SERVICE_NOT_FOUND"},
			{name: "delete env", method: "DELETE", path: "/api/v1/environments/{env}", status: 204},
			{name: "deleted env", method: "GET", path: "/api/v1/environments/{env}", status: 404, code: "ENVIRONMENT_NOT_FOUND"},
			{name: "delete project", method: "DELETE", path: "/api/v1/projects/{shop}", status: 204},
			{name: "delete org unconfirmed", method: "DELETE", path: "/api/v1/organizations/{org}", status: 400, code: "CONFIRMATION_REQUIRED"},
			{name: "delete org misnamed", method: "DELETE", path: "/api/v1/organizations/{org}?confirm=default", status: 400, code: "CONFIRMATION_MISMATCH"},
			{name: "delete org", method: "DELETE", path: "/api/v1/organizations/{org}?confirm=acme", status: 204},
			{name: "deleted org's project", method: "GET", path: "/api/v1/projects/{web}", status: 404, code: "PROJECT_NOT_FOUND"},
			{name: "logout", method: "POST", path: "/api/v1/auth/logout", status: 204},
		})
	})
}

type change struct {
	path, op string
	from, to any
}

func wantChanges(want ...change) func(*testing.T, *result) {
	return func(t *testing.T, r *result) {
		t.Helper()
		got, _ := r.json["changes"].([]any)
		if len(got) != len(want) {
			t.Fatalf("%d changes, want %d: %s", len(got), len(want), r.raw)
		}
		for i, w := range want {
			g := got[i].(map[string]any)
			if g["path"] != w.path || g["op"] != w.op || g["from"] != w.from || g["to"] != w.to {
				t.Errorf("change %d = %v, want %+v", i, g, w)
			}
		}
	}
}

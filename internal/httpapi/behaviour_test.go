package httpapi_test

import (
	"context"
	"fmt"
	"net/http"
	"strings"
	"sync"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
)

// TestTenancy: another organization's resources answer 404 and never list.
func TestTenancy(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.run(t, []call{
			{method: "POST", path: "/api/v1/projects", body: `{"name":"Secret","slug":"secret"}`, status: 201, save: "p"},
			{name: "owner lists (and caches) the project", method: "GET", path: "/api/v1/projects", status: 200, check: wantItems(1)},
			{method: "POST", path: "/api/v1/environments", body: `{"projectId":"{p}","name":"prod","kind":"production"}`, status: 201, save: "env"},
			{method: "POST", path: "/api/v1/services", body: `{"projectId":"{p}","name":"api","type":"api"}`, status: 201, save: "svc"},
		})
		createUser(t, e.api.Store(), "mallory@example.com", "mallory")
		e.token = e.login(t, "mallory@example.com", adminPassword).AccessToken
		e.run(t, []call{
			{name: "other org", method: "GET", path: "/api/v1/organizations/{defaultOrg}", status: 404, code: "ORGANIZATION_NOT_FOUND"},
			{name: "other org update", method: "PUT", path: "/api/v1/organizations/{defaultOrg}", body: `{"name":"x","slug":"default","version":1}`, status: 404},
			{name: "other org delete", method: "DELETE", path: "/api/v1/organizations/{defaultOrg}", status: 404},
			{name: "other project", method: "GET", path: "/api/v1/projects/{p}", status: 404, code: "PROJECT_NOT_FOUND"},
			{name: "other project update", method: "PUT", path: "/api/v1/projects/{p}", body: `{"name":"x","slug":"secret","version":1}`, status: 404},
			{name: "other project delete", method: "DELETE", path: "/api/v1/projects/{p}", status: 404},
			{name: "project into other org", method: "POST", path: "/api/v1/projects", body: `{"organizationId":"{defaultOrg}","name":"x","slug":"x"}`, status: 404, code: "ORGANIZATION_NOT_FOUND"},
			{name: "env into other project", method: "POST", path: "/api/v1/environments", body: `{"projectId":"{p}","name":"dev","kind":"development"}`, status: 404, code: "PROJECT_NOT_FOUND"},
			{name: "service into other project", method: "POST", path: "/api/v1/services", body: `{"projectId":"{p}","name":"web","type":"web"}`, status: 404, code: "PROJECT_NOT_FOUND"},
			{name: "other env", method: "GET", path: "/api/v1/environments/{env}", status: 404, code: "ENVIRONMENT_NOT_FOUND"},
			{name: "other service", method: "GET", path: "/api/v1/services/{svc}", status: 404, code: "SERVICE_NOT_FOUND"},
			{name: "other revisions", method: "GET", path: "/api/v1/services/{svc}/revisions", status: 404},
			{name: "other deploy", method: "POST", path: "/api/v1/services/{svc}/deploy", status: 404},
			{name: "list orgs", method: "GET", path: "/api/v1/organizations", status: 200, check: wantItems(1)},
			{name: "list projects", method: "GET", path: "/api/v1/projects", status: 200, check: wantItems(0)},
			{name: "filter on other org", method: "GET", path: "/api/v1/projects?organizationId={defaultOrg}", status: 200, check: wantItems(0)},
			{name: "list envs", method: "GET", path: "/api/v1/environments", status: 200, check: wantItems(0)},
			{name: "list services", method: "GET", path: "/api/v1/services?projectId={p}", status: 200, check: wantItems(0)},
		})
	})
}

// TestCachedListsSeeWrites: a cached list is never served after a write
// through the API.
func TestCachedListsSeeWrites(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.run(t, []call{
			{method: "GET", path: "/api/v1/projects", status: 200, check: wantItems(0)},
			{method: "GET", path: "/api/v1/projects", status: 200, check: wantItems(0)},
			{method: "POST", path: "/api/v1/projects", body: `{"name":"P","slug":"p"}`, status: 201, save: "p"},
			{method: "GET", path: "/api/v1/projects", status: 200, check: wantItems(1)},
			{method: "PUT", path: "/api/v1/projects/{p}", body: `{"name":"Renamed","slug":"p","version":1}`, status: 200},
			{method: "GET", path: "/api/v1/projects", status: 200, check: func(t *testing.T, r *result) {
				if name := r.items()[0].(map[string]any)["name"]; name != "Renamed" {
					t.Fatalf("stale list after PUT: name %v", name)
				}
			}},
			{method: "DELETE", path: "/api/v1/projects/{p}", status: 204},
			{method: "GET", path: "/api/v1/projects", status: 200, check: wantItems(0)},
		})
	})
}

// TestConcurrentUpdates: of many PUTs based on one version exactly one wins;
// the others get VERSION_CONFLICT, none is lost silently.
func TestConcurrentUpdates(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.run(t, []call{{method: "POST", path: "/api/v1/projects", body: `{"name":"P","slug":"p"}`, status: 201, save: "p"}})
		const n = 8
		statuses := make([]int, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Add(1)
			go func() {
				defer wg.Done()
				r := e.do(t, call{method: "PUT", path: "/api/v1/projects/{p}", body: fmt.Sprintf(`{"name":"writer %d","slug":"p","version":1}`, i)})
				statuses[i] = r.status
			}()
		}
		wg.Wait()
		won, conflicts := 0, 0
		for _, s := range statuses {
			switch s {
			case 200:
				won++
			case 409:
				conflicts++
			}
		}
		if won != 1 || conflicts != n-1 {
			t.Fatalf("statuses %v: want one 200 and %d 409", statuses, n-1)
		}
		e.run(t, []call{{method: "GET", path: "/api/v1/projects/{p}", status: 200, check: wantJSON("version", 2.0)}})
	})
}

// TestBodyLimit: bodies over the limit answer 413, with or without a
// Content-Length header.
func TestBodyLimit(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn, func(c *httpapi.Config) { c.MaxBodyBytes = 4096 })
		big := `{"name":"` + strings.Repeat("x", 5000) + `","slug":"big"}`
		e.run(t, []call{{name: "content-length", method: "POST", path: "/api/v1/projects", body: big, status: 413, code: "PAYLOAD_TOO_LARGE"}})
		req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/projects", struct{ *strings.Reader }{strings.NewReader(big)})
		req.Header.Set("Authorization", "Bearer "+e.token)
		req.ContentLength = -1 // chunked: the limit must hold while reading
		resp, err := e.srv.Client().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 413 {
			t.Fatalf("chunked oversized body: status %d, want 413", resp.StatusCode)
		}
	})
}

// TestPagination follows nextCursor through every page.
func TestPagination(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		for i := range 5 {
			e.run(t, []call{{method: "POST", path: "/api/v1/projects", body: fmt.Sprintf(`{"name":"P%d","slug":"p%d"}`, i, i), status: 201}})
		}
		seen := map[string]bool{}
		path := "/api/v1/projects?limit=2"
		for pages := 0; ; pages++ {
			if pages > 3 {
				t.Fatal("more pages than expected")
			}
			r := e.do(t, call{method: "GET", path: path})
			if r.status != 200 {
				t.Fatalf("status %d: %s", r.status, r.raw)
			}
			for _, it := range r.items() {
				seen[it.(map[string]any)["id"].(string)] = true
			}
			next, _ := r.json["nextCursor"].(string)
			if next == "" {
				break
			}
			path = "/api/v1/projects?limit=2&cursor=" + next
		}
		if len(seen) != 5 {
			t.Fatalf("saw %d distinct projects over the pages, want 5", len(seen))
		}
	})
}

// TestCascadeDelete: deleting a project through the API removes its
// environments, services, revisions and deployments.
func TestCascadeDelete(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.run(t, []call{
			{method: "POST", path: "/api/v1/projects", body: `{"name":"P","slug":"p"}`, status: 201, save: "p"},
			{method: "POST", path: "/api/v1/environments", body: `{"projectId":"{p}","name":"prod","kind":"production"}`, status: 201, save: "env"},
			{method: "POST", path: "/api/v1/services", body: `{"projectId":"{p}","name":"api","type":"api"}`, status: 201, save: "svc"},
		})
		d := &capsule.Deployment{ServiceID: e.vars["svc"], EnvironmentID: e.vars["env"], Revision: 1, Version: "v1"}
		if err := e.api.Store().CreateDeployment(context.Background(), d); err != nil {
			t.Fatal(err)
		}
		e.vars["dep"] = d.ID
		e.run(t, []call{
			{method: "GET", path: "/api/v1/deployments/{dep}", status: 200},
			{method: "DELETE", path: "/api/v1/projects/{p}", status: 204},
			{method: "GET", path: "/api/v1/environments/{env}", status: 404},
			{method: "GET", path: "/api/v1/services/{svc}", status: 404},
			{method: "GET", path: "/api/v1/services/{svc}/revisions", status: 404},
			{method: "GET", path: "/api/v1/deployments/{dep}", status: 404},
			{method: "GET", path: "/api/v1/deployments", status: 200, check: wantItems(0)},
		})
	})
}

// TestDeployments: listing with filters, cancel rules, and logs that need
// the environment's cluster.
func TestDeployments(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.run(t, []call{
			{method: "POST", path: "/api/v1/projects", body: `{"name":"P","slug":"p"}`, status: 201, save: "p"},
			{method: "POST", path: "/api/v1/environments", body: `{"projectId":"{p}","name":"prod","kind":"production"}`, status: 201, save: "env"},
			{method: "POST", path: "/api/v1/services", body: `{"projectId":"{p}","name":"api","type":"api"}`, status: 201, save: "svc"},
		})
		for _, status := range []string{"pending", "running"} {
			d := &capsule.Deployment{ServiceID: e.vars["svc"], EnvironmentID: e.vars["env"], Revision: 1, Version: "v-" + status, Status: status}
			if err := e.api.Store().CreateDeployment(context.Background(), d); err != nil {
				t.Fatal(err)
			}
			e.vars[status] = d.ID
		}
		e.run(t, []call{
			{method: "GET", path: "/api/v1/deployments", status: 200, check: wantItems(2)},
			{method: "GET", path: "/api/v1/deployments?status=running", status: 200, check: wantItems(1)},
			{method: "GET", path: "/api/v1/deployments?serviceId={svc}&environmentId={env}&projectId={p}", status: 200, check: wantItems(2)},
			{name: "bad status filter", method: "GET", path: "/api/v1/deployments?status=done", status: 400, code: "INVALID_PARAMETER"},
			{method: "GET", path: "/api/v1/deployments/{pending}", status: 200, check: wantJSON("status", "pending")},
			{name: "cancel pending", method: "POST", path: "/api/v1/deployments/{pending}/cancel", status: 200, check: wantJSON("status", "cancelled")},
			{name: "cancel cancelled", method: "POST", path: "/api/v1/deployments/{pending}/cancel", status: 409, code: "DEPLOYMENT_NOT_CANCELLABLE"},
			{name: "cancel running", method: "POST", path: "/api/v1/deployments/{running}/cancel", status: 409, code: "DEPLOYMENT_NOT_CANCELLABLE"},
			{name: "logs", method: "GET", path: "/api/v1/deployments/{running}/logs", status: 409, code: "ENVIRONMENT_HAS_NO_CLUSTER"},
			{name: "unknown deployment", method: "GET", path: "/api/v1/deployments/0190aaaa-0000-7000-8000-000000000000", status: 404, code: "DEPLOYMENT_NOT_FOUND"},
		})
	})
}

// TestInternalError: a failing database becomes a generic 500 carrying the
// request ID, and the cause is logged with that ID.
func TestInternalError(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		e.st.Close()
		r := e.do(t, call{method: "GET", path: "/api/v1/projects", header: map[string]string{"X-Request-ID": "req-42"}})
		if r.status != 500 {
			t.Fatalf("status %d, want 500: %s", r.status, r.raw)
		}
		checkErrorShape(t, r)
		errObj := r.json["error"].(map[string]any)
		if errObj["code"] != "INTERNAL" || errObj["message"] != "internal error" || errObj["details"].(map[string]any)["requestId"] != "req-42" {
			t.Fatalf("500 body %s", r.raw)
		}
		if r.header.Get("X-Request-ID") != "req-42" {
			t.Fatalf("X-Request-ID not echoed: %q", r.header.Get("X-Request-ID"))
		}
		logs := e.logs.String()
		if !strings.Contains(logs, `"requestId":"req-42"`) || !strings.Contains(logs, `"msg":"request failed"`) || !strings.Contains(logs, "closed") {
			t.Fatalf("cause not logged with the request ID:\n%s", logs)
		}
	})
}

// TestRefreshRotation: refresh tokens rotate; replaying a used one revokes
// the family; logout revokes it too.
func TestRefreshRotation(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		e := newEnv(t, dsn)
		first := e.login(t, adminEmail, adminPassword)
		refresh := func(tok string) *result {
			return e.do(t, call{method: "POST", path: "/api/v1/auth/refresh", token: "-", body: map[string]string{"refresh_token": tok}})
		}
		r := refresh(first.RefreshToken)
		if r.status != 200 || r.json["token_type"] != "Bearer" || r.json["expires_in"].(float64) <= 0 {
			t.Fatalf("refresh: %d %s", r.status, r.raw)
		}
		second := r.json["refresh_token"].(string)
		if second == first.RefreshToken {
			t.Fatal("refresh token did not rotate")
		}
		e.token = r.json["access_token"].(string)
		e.run(t, []call{{name: "new access token works", method: "GET", path: "/api/v1/auth/me", status: 200}})
		if r := refresh(first.RefreshToken); r.status != 401 {
			t.Fatalf("replayed refresh token: %d, want 401", r.status)
		}
		if r := refresh(second); r.status != 401 {
			t.Fatalf("after a replay the family must be revoked: %d, want 401", r.status)
		}
		third := e.login(t, adminEmail, adminPassword)
		e.token = third.AccessToken
		e.run(t, []call{{method: "POST", path: "/api/v1/auth/logout", status: 204}})
		if r := refresh(third.RefreshToken); r.status != 401 {
			t.Fatalf("refresh after logout: %d, want 401", r.status)
		}
		if r := refresh(""); r.status != 400 {
			t.Fatalf("empty refresh token: %d, want 400", r.status)
		}
	})
}

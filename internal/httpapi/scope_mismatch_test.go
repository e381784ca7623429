package httpapi_test

import (
	"context"
	"encoding/json"
	"net/http"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestScopeMismatch: where the query, the body and the path can each name
// the organization, project or environment, a disagreement is a 400
// SCOPE_MISMATCH naming the field and both values, never a silent choice of
// one of them (which authorized in one organization and wrote in another).
func TestScopeMismatch(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t))
	a, b := tm.newFixture(t, "scope-a"), tm.newFixture(t, "scope-b")
	owner := bearer(tm.tokens[rbac.Owner])
	cases := []struct {
		name, method, path string
		body               map[string]any
		field              string
		details            map[string]string
	}{
		{"secret: query org B, body org A", "POST", "/api/v1/secrets?organizationId=" + b.org,
			map[string]any{"organizationId": a.org, "name": "TOKEN", "value": "v"}, "organizationId",
			map[string]string{"query": b.org, "body": a.org}},
		{"project: query org B, body org A", "POST", "/api/v1/projects?organizationId=" + b.org,
			map[string]any{"organizationId": a.org, "name": "Web", "slug": "web"}, "organizationId",
			map[string]string{"query": b.org, "body": a.org}},
		{"service: query project B, body project A", "POST", "/api/v1/services?projectId=" + b.project,
			map[string]any{"projectId": a.project, "name": "worker", "type": "worker"}, "projectId",
			map[string]string{"query": b.project, "body": a.project}},
		{"environment: query project B, body project A", "POST", "/api/v1/environments?projectId=" + b.project,
			map[string]any{"projectId": a.project, "name": "qa", "kind": "staging"}, "projectId",
			map[string]string{"query": b.project, "body": a.project}},
		{"secret: body org A, body project of B", "POST", "/api/v1/secrets",
			map[string]any{"organizationId": a.org, "projectId": b.project, "name": "TOKEN", "value": "v"}, "organizationId",
			map[string]string{"body": a.org, "resolved": b.org}},
		{"secret: query org A, body project of B", "POST", "/api/v1/secrets?organizationId=" + a.org,
			map[string]any{"projectId": b.project, "name": "TOKEN", "value": "v"}, "organizationId",
			map[string]string{"query": a.org, "resolved": b.org}},
		{"preview: body org A, body project of B", "POST", "/api/v1/previews",
			map[string]any{"organizationId": a.org, "projectId": b.project}, "organizationId",
			map[string]string{"body": a.org, "resolved": b.org}},
		{"secret list: org A, project of B", "GET", "/api/v1/secrets?organizationId=" + a.org + "&projectId=" + b.project, nil,
			"organizationId", map[string]string{"query": a.org, "resolved": b.org}},
		{"secret rotate: body org of another secret", "PUT", "/api/v1/secrets/" + a.secret,
			map[string]any{"organizationId": b.org, "value": "v2"}, "organizationId",
			map[string]string{"body": b.org, "resolved": a.org}},
		{"role binding: body org B on org A's path", "POST", "/api/v1/organizations/" + a.org + "/role-bindings",
			map[string]any{"organizationId": b.org, "userId": tm.users[rbac.Viewer], "role": rbac.Developer, "projectId": a.project}, "organizationId",
			map[string]string{"body": b.org, "resolved": a.org}},
		{"service get: query project B", "GET", "/api/v1/services/" + a.service + "?projectId=" + b.project, nil,
			"projectId", map[string]string{"query": b.project, "resolved": a.project}},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			var body any
			if c.body != nil {
				body = c.body
			}
			status, out := send(t, tm.e, c.method, c.path, owner, body)
			if status != http.StatusBadRequest || errorCode(out) != capsule.CodeScopeMismatch {
				t.Fatalf("got %d %s, want 400 SCOPE_MISMATCH", status, out)
			}
			var eb httpapi.ErrorBody
			must(t, json.Unmarshal(out, &eb))
			if eb.Error.Details["field"] != c.field {
				t.Errorf("details.field = %v, want %s (%s)", eb.Error.Details["field"], c.field, out)
			}
			for k, v := range c.details {
				if eb.Error.Details[k] != v {
					t.Errorf("details.%s = %v, want %s (%s)", k, eb.Error.Details[k], v, out)
				}
			}
		})
	}

	// Agreeing sources are fine.
	status, out := send(t, tm.e, "POST", "/api/v1/secrets?organizationId="+a.org+"&projectId="+a.project, owner,
		map[string]any{"organizationId": a.org, "projectId": a.project, "name": "AGREED", "value": "v"})
	if status != http.StatusCreated {
		t.Fatalf("agreeing query and body: %d %s", status, out)
	}

	// A project of an organization the caller does not belong to stays a
	// 404: the mismatch is only reported once the caller may see the scope.
	ctx := context.Background()
	_, outsiderOrg := createUser(t, tm.e.api.Store(), "outsider@example.com", "outsider-home")
	p := &capsule.Project{OrganizationID: outsiderOrg, Name: "hidden", Slug: "hidden"}
	must(t, p.Validate())
	must(t, tm.e.api.Store().CreateProject(ctx, p))
	status, out = send(t, tm.e, "POST", "/api/v1/secrets", owner,
		map[string]any{"organizationId": a.org, "projectId": p.ID, "name": "TOKEN", "value": "v"})
	if status != http.StatusNotFound || errorCode(out) != capsule.NotFoundCode("project") {
		t.Fatalf("project of another tenant: got %d %s, want 404 PROJECT_NOT_FOUND", status, out)
	}
}

// TestScopeMismatchIsNoEscalation: a viewer of A who owns B could create a
// project in A by naming B in the query (where the guard authorized) and A
// in the body (where the handler wrote).
func TestScopeMismatchIsNoEscalation(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t))
	a := tm.newFixture(t, "victim")
	viewer := bearer(tm.tokens[rbac.Viewer])
	status, out := send(t, tm.e, "GET", "/api/v1/organizations", viewer, nil)
	var orgs capsule.List[capsule.Organization]
	must(t, json.Unmarshal(out, &orgs))
	home := ""
	for _, o := range orgs.Items {
		if o.Slug == rbac.Viewer+"-home" {
			home = o.ID
		}
	}
	if status != http.StatusOK || home == "" {
		t.Fatalf("viewer's own organization not listed: %d %s", status, out)
	}
	status, out = send(t, tm.e, "POST", "/api/v1/projects?organizationId="+home, viewer,
		map[string]any{"organizationId": a.org, "name": "Sneaky", "slug": "sneaky"})
	if status != http.StatusBadRequest || errorCode(out) != capsule.CodeScopeMismatch {
		t.Fatalf("viewer creating in A through B's authorization: %d %s, want 400 SCOPE_MISMATCH", status, out)
	}
	status, out = send(t, tm.e, "POST", "/api/v1/projects", viewer,
		map[string]any{"organizationId": a.org, "name": "Sneaky", "slug": "sneaky"})
	if status != http.StatusForbidden {
		t.Fatalf("viewer creating in A directly: %d %s, want 403", status, out)
	}
}

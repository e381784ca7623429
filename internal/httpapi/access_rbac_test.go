package httpapi_test

import (
	"encoding/base64"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/ratelimit"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestRBACMatrix walks every authenticated route of the router × every
// built-in role and checks allow or deny against the permission matrix: an
// allowed call answers exactly the status the route table declares for
// success (or, for the calls listed in matrixStatus, exactly the status
// listed there), a denied one is 403. Destructive
// routes run on a fresh fixture per role. A user of another organization
// gets 404 on every route naming a resource, never 403.
func TestRBACMatrix(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		// The walk sends every route as every role within seconds, far
		// past a user's default budget; rate limits have their own tests.
		tm := newTeam(t, dsn, func(c *httpapi.Config) { c.Access.UserRate = ratelimit.Rate{PerMinute: 1e9, Burst: 1e6} })
		shared := tm.newFixture(t, "shared")
		n := 0
		seen := map[string]bool{}
		for _, rt := range tm.e.api.Routes() {
			seen[rt.Method+" "+rt.Path] = true
			if rt.Public {
				continue
			}
			perm, known := httpapi.PermissionOf(rt)
			if !known {
				t.Errorf("%s %s declares permission %q, which is neither an RBAC permission nor mapped to one", rt.Method, rt.Path, rt.Permission)
				continue
			}
			for _, role := range roleOrder {
				f := shared
				if rt.Method == http.MethodDelete || strings.HasSuffix(rt.Path, "/cancel") || // cancelled once only
					strings.HasSuffix(rt.Path, "/approve") || strings.HasSuffix(rt.Path, "/reject") { // decided once only
					n++
					f = tm.newFixture(t, fmt.Sprintf("fresh-%d", n))
				}
				checkRoute(t, tm, rt, perm, role, f)
				switch {
				case rt.Path == "/api/v1/auth/logout", rt.Path == "/api/v1/auth/sessions/{sessionId}":
					tm.relogin(t, role) // the role signed its own session out
				case rt.Method == http.MethodDelete && strings.HasSuffix(rt.Path, "/members/{userId}"):
					tm.relogin(t, rbac.Viewer) // a removed member's sessions are revoked
				}
			}
			if strings.Contains(rt.Path, "{id}") {
				checkOtherTenant(t, tm, rt, shared)
			}
		}
		for route := range matrixBodies {
			if !seen[route] {
				t.Errorf("matrixBodies names %s, which is no route", route)
			}
		}
		for route := range putsBack {
			if !seen[route] {
				t.Errorf("putsBack names %s, which is no route", route)
			}
		}
		for route := range matrixStatus {
			if !seen[route] {
				t.Errorf("matrixStatus names %s, which is no route", route)
			}
		}
	})
}

// matrixStatus is the exact answer to the allowed calls whose matrix
// request cannot succeed: a few capabilities answer 501 until they exist,
// and the rest need what the matrix cannot give (a TOTP code, an
// invitation token, a reachable identity provider, a preview's manifests),
// so they get the generic ids body and refuse it. Pinning the status still
// proves the call got past authorization into the handler, and a route
// that starts answering otherwise (or succeeding) fails here until the
// table is updated. Every other allowed call must answer the route table's
// success status.
var matrixStatus = map[string]int{
	"GET /api/v1/audit/checkpoints": http.StatusNotImplemented, // no audit signer in the test API
	// The fixture's environments name no cluster.
	"GET /api/v1/deployments/{id}/logs": http.StatusConflict,
	// The generic body has fields the deploy routes do not take.
	"POST /api/v1/services/{id}/deploy":   http.StatusBadRequest,
	"POST /api/v1/services/{id}/rollback": http.StatusBadRequest,
	"POST /api/v1/services/{id}/scale":    http.StatusBadRequest,
	"POST /api/v1/auth/mfa/confirm":       http.StatusBadRequest,
	"POST /api/v1/auth/mfa/disable":       http.StatusBadRequest,
	"POST /api/v1/invitations/accept":     http.StatusBadRequest,
	"PUT /api/v1/organizations/{id}/sso":  http.StatusBadRequest,
	// No cluster answers in these tests: a credential naming a cloud
	// metadata address is refused by the handler's address policy.
	"PUT /api/v1/clusters/{id}/credential": http.StatusBadRequest,
	// Drift: the fixture's environments name no cluster, so nothing runs there to compare.
	"GET /api/v1/environments/{id}/drift": http.StatusConflict,
	// Git events: the fixture's project names no repository to take
	// webhooks from.
	"POST /api/v1/projects/{id}/webhook-secret": http.StatusConflict,
	// billing: the generic body names no billing account to import into.
	"POST /api/v1/billing/imports": http.StatusBadRequest,
}

// matrixBodies are the request bodies of writes that can succeed in the
// matrix. Each role calls them once on the shared fixture, so names carry
// the role to stay unique.
var matrixBodies = map[string]func(f fixture, role string) any{
	"POST /api/v1/organizations": func(f fixture, role string) any {
		return map[string]string{"name": "Org " + role, "slug": "org-" + role}
	},
	"POST /api/v1/projects": func(f fixture, role string) any {
		return map[string]string{"organizationId": f.org, "name": "Shop " + role, "slug": "shop-" + role}
	},
	"POST /api/v1/environments": func(f fixture, role string) any {
		return map[string]string{"projectId": f.project, "name": "qa-" + role, "kind": "development"}
	},
	"POST /api/v1/services": func(f fixture, role string) any {
		return map[string]string{"projectId": f.project, "name": "svc-" + role, "type": "api"}
	},
	"POST /api/v1/secrets": func(f fixture, role string) any {
		return map[string]string{"organizationId": f.org, "projectId": f.project, "name": "TOKEN_" + strings.ToUpper(role), "value": "s3cret-value-" + role}
	},
	"PUT /api/v1/secrets/{id}": func(f fixture, role string) any {
		return map[string]string{"value": "rotated-value-" + role}
	},
	"POST /api/v1/organizations/{id}/api-keys": func(f fixture, role string) any {
		return map[string]string{"name": "key-" + role, "role": rbac.Viewer}
	},
	"POST /api/v1/organizations/{id}/invitations": func(f fixture, role string) any {
		return map[string]string{"email": role + "-invitee@example.com", "role": rbac.Viewer}
	},
	"POST /api/v1/organizations/{id}/roles": func(f fixture, role string) any {
		return map[string]any{"name": "role-" + role, "permissions": []string{"project:view"}}
	},
	"POST /api/v1/organizations/{id}/role-bindings": func(f fixture, role string) any {
		user := f.managed // one binding per (user, scope): each role grants to another member
		if role == rbac.Owner {
			user = f.member
		}
		return map[string]string{"userId": user, "role": rbac.Viewer, "projectId": f.project, "environmentId": f.staging}
	},
	"POST /api/v1/organizations/{id}/users": func(f fixture, role string) any {
		return map[string]string{"email": role + "-created@example.com", "name": "Created by " + role, "role": rbac.Viewer}
	},
	"POST /api/v1/organizations/{id}/users/{userId}/reset-password": func(f fixture, role string) any {
		return map[string]string{} // a generated password
	},
	"POST /api/v1/clusters": func(f fixture, role string) any {
		return map[string]any{"organization_id": f.org, "name": "cluster-" + role, "metadata": map[string]string{"team": role}}
	},
	"PATCH /api/v1/clusters/{id}": func(f fixture, role string) any {
		return map[string]string{"region": "eu-" + role}
	},
	"PUT /api/v1/clusters/{id}/credential": func(f fixture, role string) any {
		return map[string]string{"server": "https://169.254.169.254", "token": "t-" + role}
	},
	"POST /api/v1/previews": func(f fixture, role string) any {
		const cm = "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: settings, namespace: shop}\ndata: {LEVEL: %s}\n"
		return map[string]string{"organizationId": f.org, "projectId": f.project,
			"current": fmt.Sprintf(cm, "info"), "proposed": fmt.Sprintf(cm, role)}
	},
	// Promotions (promo): each preview supersedes the previous one; the
	// decisions run on a fresh fixture per role.
	"POST /api/v1/promotions/preview": func(f fixture, role string) any {
		return map[string]string{"serviceId": f.web, "sourceEnvId": f.staging, "targetEnvId": f.prod}
	},
	"POST /api/v1/promotions/{id}/approve":         func(f fixture, role string) any { return map[string]string{"comment": "ok by " + role} },
	"PATCH /api/v1/promotions/{id}/approve":        func(f fixture, role string) any { return map[string]string{"comment": "ok by " + role} },
	"POST /api/v1/promotions/{id}/reject":          func(f fixture, role string) any { return map[string]string{"comment": "no by " + role} },
	"PATCH /api/v1/promotions/{id}/reject":         func(f fixture, role string) any { return map[string]string{"comment": "no by " + role} },
	"PUT /api/v1/environments/{id}/git-credential": func(f fixture, role string) any { return map[string]string{"token": "tok-" + role} },
	"PUT /api/v1/organizations/{id}/members/{userId}": func(f fixture, role string) any {
		return map[string]string{"role": rbac.Viewer} // the fixture's member is a viewer: setting it again changes nothing
	},
	// outbound
	"POST /api/v1/webhooks": func(f fixture, role string) any {
		return map[string]any{"organizationId": f.org, "url": "https://hooks.example.com/" + role, "events": []string{"audit.*"}}
	},
	"PATCH /api/v1/webhooks/{id}": func(f fixture, role string) any {
		return map[string]string{"description": "changed by " + role}
	},
	"POST /api/v1/notifications/channels": func(f fixture, role string) any {
		return map[string]any{"organizationId": f.org, "name": "ch-" + role, "kind": "slack_webhook", "secret": map[string]string{"url": "https://hooks.slack.com/services/" + role}}
	},
	"POST /api/v1/notifications/rules": func(f fixture, role string) any {
		return map[string]any{"organizationId": f.org, "channelId": f.notifyChannel, "events": []string{"deployment.failed"}}
	},
	// billing
	"POST /api/v1/billing/accounts": func(f fixture, role string) any {
		return map[string]string{"organizationId": f.org, "name": "aws-" + role, "provider": "aws"}
	},
	"POST /api/v1/billing/reconcile": func(f fixture, role string) any {
		return map[string]string{"organizationId": f.org}
	},
	// costs
	"POST /api/v1/budgets": func(f fixture, role string) any {
		return map[string]any{"organizationId": f.org, "scope": "team", "name": "payments-" + role, "monthly_amount": "1500"}
	},
}

// putsBack are the updates the matrix sends the entity's current state
// (read by the owner just before), which carries the version the update
// must name: an unchanged update succeeds for every allowed role.
var putsBack = map[string]bool{
	"PUT /api/v1/organizations/{id}": true,
	"PUT /api/v1/projects/{id}":      true,
	"PUT /api/v1/environments/{id}":  true,
	"PUT /api/v1/services/{id}":      true,
}

// allowedStatus is the exact status an allowed call to rt must answer.
func allowedStatus(rt httpapi.Route) int {
	if s, ok := matrixStatus[rt.Method+" "+rt.Path]; ok {
		return s
	}
	return rt.Status
}

// requestFor builds the path and body of a call to rt on fixture f. Lists
// are filtered on the fixture's organization or project; writes name the
// production environment, so deploys need deploy:production.
func requestFor(rt httpapi.Route, f fixture, role string) (string, any) {
	path := f.path(rt.Path)
	if body, ok := matrixBodies[rt.Method+" "+rt.Path]; ok {
		return path, body(f, role)
	}
	switch rt.Method + " " + rt.Path {
	case "GET /api/v1/services/{id}/revisions/compare":
		return path + "?from=1&to=1", nil // the fixture's service has one revision
	case "POST /api/v1/deployments/{id}/cancel":
		return path, nil // no body: the deployment's own (staging) environment decides
	// Environment diff: the fixture's two environments, neither deployed.
	case "GET /api/v1/projects/{id}/diff":
		return path + "?from=" + f.staging + "&to=" + f.prod, nil
	}
	if rt.Method == http.MethodGet && !strings.Contains(rt.Path, "{") {
		var q []string
		for _, p := range rt.Query {
			switch p.Name {
			case "organizationId":
				q = append(q, "organizationId="+f.org)
			case "projectId":
				q = append(q, "projectId="+f.project)
			}
		}
		if len(q) > 0 {
			path += "?" + strings.Join(q, "&")
		}
	}
	if rt.Method == http.MethodDelete && rt.Path == "/api/v1/organizations/{id}" {
		return path + "?confirm=" + f.slug, nil
	}
	if rt.Method == http.MethodGet || rt.Method == http.MethodDelete {
		return path, nil
	}
	return path, map[string]string{"organizationId": f.org, "projectId": f.project, "environmentId": f.prod}
}

// expected is the matrix's answer for role on rt: the deploy permission
// follows the target environment (production in request bodies, staging
// for the fixture's deployment); unscoped lists are always allowed (they
// show only what the role may see); only owners delete an organization.
func expected(rt httpapi.Route, perm rbac.Permission, role string) bool {
	switch {
	case perm == httpapi.AnyUser:
		return true
	case perm == httpapi.InstallationAdmin:
		return role == rbac.Owner // the team's owner owns the "default" organization
	case rt.Method == http.MethodDelete && rt.Path == "/api/v1/organizations/{id}":
		return role == rbac.Owner // org:manage is not enough to end an organization
	case perm == httpapi.DeployByEnvironment && strings.HasPrefix(rt.Path, "/api/v1/deployments/"):
		perm = rbac.DeployStaging
	case perm == httpapi.DeployByEnvironment:
		perm = rbac.DeployProduction
	}
	if rt.Method == http.MethodGet && !strings.Contains(rt.Path, "{") && !slices.ContainsFunc(rt.Query, func(p httpapi.Param) bool {
		return p.Name == "organizationId" || p.Name == "projectId"
	}) {
		return true
	}
	return rbac.BuiltIn(role).Has(perm)
}

func checkRoute(t *testing.T, tm *team, rt httpapi.Route, perm rbac.Permission, role string, f fixture) {
	t.Helper()
	path, body := requestFor(rt, f, role)
	path = strings.Replace(path, "{sessionId}", tokenSID(t, tm.tokens[role]), 1)
	if putsBack[rt.Method+" "+rt.Path] {
		st, cur := send(t, tm.e, http.MethodGet, path, bearer(tm.tokens[rbac.Owner]), nil)
		if st != http.StatusOK {
			t.Fatalf("reading %s before updating it: status %d: %s", path, st, cur)
		}
		body = json.RawMessage(cur)
	}
	var (
		status int
		out    []byte
	)
	if rt.WebSocket {
		status, out = dialStatus(t, tm.e, path, bearer(tm.tokens[role]))
	} else {
		status, out = send(t, tm.e, rt.Method, path, bearer(tm.tokens[role]), body)
	}
	allowed := expected(rt, perm, role)
	switch want := allowedStatus(rt); {
	case allowed && status != want:
		t.Errorf("%s %s as %s: status %d, want %d (allowed: %s): %s", rt.Method, path, role, status, want, perm, out)
	case !allowed && status != http.StatusForbidden:
		t.Errorf("%s %s as %s: status %d, want 403 (%s not held): %s", rt.Method, path, role, status, perm, out)
	}
}

// checkOtherTenant calls rt on the fixture as the owner of another
// organization: the answer must be 404, so existence does not leak.
func checkOtherTenant(t *testing.T, tm *team, rt httpapi.Route, f fixture) {
	t.Helper()
	path, body := requestFor(rt, f, "stranger")
	status, out := send(t, tm.e, rt.Method, path, bearer(tm.strangerToken(t)), body)
	// 501 is accepted for capabilities that do not exist yet: it says nothing about the resource.
	if status != http.StatusNotFound && status != http.StatusNotImplemented {
		t.Errorf("%s %s from another organization: status %d, want 404: %s", rt.Method, path, status, out)
	}
}

// strangerToken signs in (once) a user who owns an unrelated organization.
func (tm *team) strangerToken(t *testing.T) string {
	if tok, ok := tm.tokens["stranger"]; ok {
		return tok
	}
	createUser(t, tm.e.st, "stranger@example.com", "elsewhere")
	tm.tokens["stranger"] = tm.e.login(t, "stranger@example.com", adminPassword).AccessToken
	return tm.tokens["stranger"]
}

// relogin signs a role's user in again after their session ended.
func (tm *team) relogin(t *testing.T, role string) {
	t.Helper()
	email := role + "-member@example.com"
	if role == rbac.Owner {
		email = adminEmail
	}
	tm.tokens[role] = tm.e.login(t, email, adminPassword).AccessToken
	if role == rbac.Owner {
		tm.e.token = tm.tokens[role]
	}
}

// tokenSID is the session (family) an access token belongs to, read from
// its payload: the session a role can sign out in the matrix.
func tokenSID(t testing.TB, token string) string {
	t.Helper()
	parts := strings.Split(token, ".")
	if len(parts) != 3 {
		t.Fatalf("access token %q is not a JWT", token)
	}
	raw, err := base64.RawURLEncoding.DecodeString(parts[1])
	must(t, err)
	var claims struct {
		SID string `json:"sid"`
	}
	must(t, json.Unmarshal(raw, &claims))
	if claims.SID == "" {
		t.Fatalf("access token has no sid: %s", raw)
	}
	return claims.SID
}

package httpapi_test

import (
	"encoding/json"
	"fmt"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/rbac"
)

// TestPromotionRoutes: a preview is accepted by names in snake_case and by
// IDs in camelCase (a pair spelled both ways must agree), supersedes the
// open one, and is read back whole and in parts; the list filters by
// status; a superseded promotion cannot be approved, the requester cannot
// approve their own, and an approval into an environment without a cluster
// keeps the approval and says why delivery failed.
func TestPromotionRoutes(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "promotions")
		e := tm.e
		e.token = tm.tokens[rbac.Owner]
		e.vars["web"], e.vars["staging"], e.vars["prod"], e.vars["project"] = f.web, f.staging, f.prod, f.project
		e.vars["api"] = f.service
		savePromotion := func(name string) func(t *testing.T, r *result) {
			return func(t *testing.T, r *result) {
				id, _ := r.json["promotion_id"].(string)
				sum, _ := r.json["summary"].(map[string]any)
				if id == "" || r.json["status"] != "pending_approval" || sum["added"] == float64(0) || r.json["diff"] == nil ||
					r.json["estimated_cost"] == nil || r.json["explanation"] == "" {
					t.Fatalf("preview answer: %s", r.raw)
				}
				e.vars[name] = id
			}
		}
		e.run(t, []call{
			{name: "by names, snake_case", method: "POST", path: "/api/v1/promotions/preview", status: 201,
				body: `{"workload_name":"web","source_namespace":"staging","target_namespace":"production","projectId":"{project}"}`, check: savePromotion("p1")},
			{name: "by IDs, camelCase", method: "POST", path: "/api/v1/promotions/preview", status: 201,
				body: `{"serviceId":"{web}","sourceEnvId":"{staging}","targetEnvId":"{prod}"}`, check: savePromotion("p2")},
			{name: "spellings disagree", method: "POST", path: "/api/v1/promotions/preview", status: 400, code: "VALIDATION_FAILED",
				body: `{"service_id":"{web}","serviceId":"{api}","source_env_id":"{staging}","target_env_id":"{prod}"}`},
			{name: "nothing named", method: "POST", path: "/api/v1/promotions/preview", status: 400, code: "VALIDATION_FAILED",
				body: `{"git_commit":"abc"}`, check: func(t *testing.T, r *result) {
					if got := strings.Join(r.errFields(), ","); !strings.Contains(got, "service_id") || !strings.Contains(got, "target_env_id") {
						t.Fatalf("fields named: %s", got)
					}
				}},
			{name: "same environment twice", method: "POST", path: "/api/v1/promotions/preview", status: 400, code: "VALIDATION_FAILED",
				body: `{"serviceId":"{web}","sourceEnvId":"{prod}","targetEnvId":"{prod}"}`},
			{name: "unknown namespace", method: "POST", path: "/api/v1/promotions/preview", status: 404, code: "ENVIRONMENT_NOT_FOUND",
				body: `{"serviceId":"{web}","sourceEnvId":"{staging}","target_namespace":"nowhere"}`},
			{name: "the older one is superseded", method: "GET", path: "/api/v1/promotions/{p1}", status: 200,
				check: func(t *testing.T, r *result) {
					if r.json["status"] != "superseded" {
						t.Fatalf("p1: %s", r.raw)
					}
				}},
			{name: "whole preview", method: "GET", path: "/api/v1/promotions/{p2}/preview", status: 200,
				check: func(t *testing.T, r *result) {
					if r.json["promotion_id"] != e.vars["p2"] || r.json["risk_level"] == "" {
						t.Fatalf("preview: %s", r.raw)
					}
				}},
			{name: "diff", method: "GET", path: "/api/v1/promotions/{p2}/diff", status: 200, check: hasKeys("added", "changes")},
			{name: "cost", method: "GET", path: "/api/v1/promotions/{p2}/cost", status: 200, check: hasKeys("delta", "projected")},
			{name: "risk", method: "GET", path: "/api/v1/promotions/{p2}/risk", status: 200, check: hasKeys("risk_level", "risks", "not_assessed")},
			{name: "explanation", method: "GET", path: "/api/v1/promotions/{p2}/explanation", status: 200, check: hasKeys("explanation")},
			{name: "list pending", method: "GET", path: "/api/v1/promotions?status=pending_approval&projectId={project}", status: 200,
				check: func(t *testing.T, r *result) {
					// The fixture's own promotion was superseded by p1.
					if it := r.items(); len(it) != 1 || it[0].(map[string]any)["id"] != e.vars["p2"] {
						t.Fatalf("pending: %s", r.raw)
					}
				}},
			{name: "bad status filter", method: "GET", path: "/api/v1/promotions?status=maybe", status: 400, code: "INVALID_PARAMETER"},
			{name: "approve a superseded one", method: "POST", path: "/api/v1/promotions/{p1}/approve", body: `{}`, status: 409, code: "PROMOTION_CLOSED"},
			{name: "approve your own", method: "PATCH", path: "/api/v1/promotions/{p2}/approve", body: `{"comment":"mine"}`, status: 403, code: "PROMOTION_SELF_APPROVAL"},
			{name: "a developer cannot approve", method: "POST", path: "/api/v1/promotions/{p2}/approve", token: tm.tokens[rbac.Developer], body: `{}`, status: 403, code: "FORBIDDEN"},
			{name: "an admin approves", method: "POST", path: "/api/v1/promotions/{p2}/approve", token: tm.tokens[rbac.Admin],
				body: `{"comment":"go"}`, status: 200, check: func(t *testing.T, r *result) {
					appr, _ := r.json["approvals"].([]any)
					if r.json["status"] != "failed" || len(appr) != 1 || !strings.Contains(fmt.Sprint(r.json["note"]), "no cluster") {
						t.Fatalf("approved into an environment without a cluster: %s", r.raw)
					}
				}},
			{name: "git credential", method: "PUT", path: "/api/v1/environments/{prod}/git-credential", body: `{"token":"ghp_secret"}`, status: 204},
			{name: "empty git credential", method: "PUT", path: "/api/v1/environments/{prod}/git-credential", body: `{"token":" "}`, status: 400, code: "VALIDATION_FAILED"},
			{name: "the credential is listed by name only", method: "GET", path: "/api/v1/secrets?environmentId={prod}", status: 200,
				check: func(t *testing.T, r *result) {
					if strings.Contains(string(r.raw), "ghp_secret") {
						t.Fatalf("secret list shows the token: %s", r.raw)
					}
					for _, it := range r.items() {
						if m := it.(map[string]any); strings.HasSuffix(fmt.Sprint(m["name"]), ".git-credential") {
							e.vars["gitsecret"] = fmt.Sprint(m["id"])
						}
					}
					if e.vars["gitsecret"] == "" {
						t.Fatalf("no git credential listed: %s", r.raw)
					}
				}},
			{name: "the secrets API refuses its value", method: "GET", path: "/api/v1/secrets/{gitsecret}/value", status: 403, code: "GIT_CREDENTIAL_SEALED"},
		})
		var n int
		must(t, e.st.DB().QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'promotions.approve' AND outcome = 'success'").Scan(&n))
		if n != 1 {
			t.Fatalf("%d successful promotions.approve audit entries, want 1", n)
		}
		// The delivery could not start (no cluster): its own entry says so.
		must(t, e.st.DB().QueryRow("SELECT COUNT(*) FROM audit_log WHERE action = 'promotions.deliver' AND outcome = 'failure'").Scan(&n))
		if n != 1 {
			t.Fatalf("%d failed promotions.deliver audit entries, want 1", n)
		}
	})
}

func hasKeys(keys ...string) func(t *testing.T, r *result) {
	return func(t *testing.T, r *result) {
		var m map[string]json.RawMessage
		if err := json.Unmarshal(r.raw, &m); err != nil {
			t.Fatalf("not an object: %s", r.raw)
		}
		for _, k := range keys {
			if _, ok := m[k]; !ok {
				t.Fatalf("no %q in %s", k, r.raw)
			}
		}
	}
}

// TestPromotionApproveScope: approving is decided on the target
// environment: a developer bound to a custom approver role on staging
// cannot approve a promotion into production, one bound on production can,
// and the policy's approverRoles accepts the role it names.
func TestPromotionApproveScope(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "approvers")
		e := tm.e
		e.token = tm.tokens[rbac.Owner]
		e.vars["promo"], e.vars["org"], e.vars["project"] = f.promotion, f.org, f.project
		e.vars["staging"], e.vars["prod"], e.vars["dev"] = f.staging, f.prod, tm.users[rbac.Developer]
		var prod map[string]any
		e.run(t, []call{
			{name: "read production", method: "GET", path: "/api/v1/environments/{prod}", status: 200,
				check: func(t *testing.T, r *result) { prod = r.json }},
		})
		prod["approvalPolicy"] = map[string]any{"requiredApprovals": 1, "approverRoles": []string{"release-manager"}}
		e.run(t, []call{
			{name: "only release managers approve production", method: "PUT", path: "/api/v1/environments/{prod}", body: prod, status: 200},
			{name: "the owner holds promotion:approve but not the role", method: "POST", path: "/api/v1/promotions/{promo}/approve", body: `{}`,
				status: 403, code: "PROMOTION_APPROVER_ROLE"},
			{name: "bind the developer on staging", method: "POST", path: "/api/v1/organizations/{org}/role-bindings", status: 201,
				body: `{"userId":"{dev}","role":"release-manager","projectId":"{project}","environmentId":"{staging}"}`},
			{name: "not on production", method: "POST", path: "/api/v1/promotions/{promo}/approve", token: tm.tokens[rbac.Developer], body: `{}`,
				status: 403, code: "FORBIDDEN"},
			{name: "bind the developer on production", method: "POST", path: "/api/v1/organizations/{org}/role-bindings", status: 201,
				body: `{"userId":"{dev}","role":"release-manager","projectId":"{project}","environmentId":"{prod}"}`},
			{name: "approves production", method: "POST", path: "/api/v1/promotions/{promo}/approve", token: tm.tokens[rbac.Developer],
				body: `{"comment":"release manager"}`, status: 200, check: func(t *testing.T, r *result) {
					if appr, _ := r.json["approvals"].([]any); len(appr) != 1 {
						t.Fatalf("approval: %s", r.raw)
					}
				}},
		})
	})
}

package httpapi_test

import (
	"fmt"
	"net/http"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/rbac"
)

// auditedTables are the tables a state-changing route writes.
var auditedTables = []string{"organizations", "organization_members", "projects", "environments", "services",
	"deployments", "previews", "api_keys", "custom_roles", "role_bindings", "secrets", "secret_versions", "invitations", "clusters"}

// rowCounts fingerprints the stored state: the row count of every audited
// table and every project's name.
func rowCounts(t *testing.T, tm *team) string {
	t.Helper()
	var b strings.Builder
	for _, tbl := range auditedTables {
		var n int
		must(t, tm.e.st.DB().QueryRow(`SELECT COUNT(*) FROM `+tbl).Scan(&n))
		fmt.Fprintf(&b, "%s=%d ", tbl, n)
	}
	rows, err := tm.e.st.DB().Query(`SELECT name FROM projects ORDER BY id`)
	must(t, err)
	defer rows.Close()
	for rows.Next() {
		var name string
		must(t, rows.Scan(&name))
		b.WriteString(name + ";")
	}
	return b.String()
}

// TestChangeCommitsWithItsAuditEntry: a state change and its audit entry
// commit together or neither does. With the audit log unwritable, every
// state-changing route fails and leaves the stored state as it was; with
// it writable, the change's entry names the created entity exactly once.
func TestChangeCommitsWithItsAuditEntry(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn, withKeyring(testKeyring(t)))
		owner := bearer(tm.tokens[rbac.Owner])
		f := tm.newFixture(t, "atomic")

		status, body := send(t, tm.e, "POST", "/api/v1/projects", owner, map[string]any{"organizationId": f.org, "name": "Web", "slug": "web"})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, body)
		}
		id := decode[struct{ ID string }](t, body).ID
		var creates []audit.Entry
		for _, e := range tm.auditEntries(t, f.org, "&action=projects.create") {
			if e.TargetID == id {
				creates = append(creates, e)
			}
		}
		if len(creates) != 1 || creates[0].Outcome != audit.OutcomeSuccess || creates[0].RequestID == "" {
			t.Fatalf("entries of the create: %+v", creates)
		}

		type call struct {
			method, path string
			body         any
		}
		calls := []call{
			{"POST", "/api/v1/projects", map[string]any{"organizationId": f.org, "name": "Lost", "slug": "lost"}},
			{"PUT", "/api/v1/projects/" + f.project, map[string]any{"name": "Renamed", "slug": "shop", "version": 1}},
			{"POST", "/api/v1/environments", map[string]any{"projectId": f.project, "name": "qa", "kind": "staging"}},
			{"POST", "/api/v1/services", map[string]any{"projectId": f.project, "name": "worker", "type": "worker"}},
			{"POST", "/api/v1/organizations", map[string]any{"name": "Other", "slug": "other"}},
			{"POST", "/api/v1/secrets", map[string]any{"organizationId": f.org, "projectId": f.project, "name": "TOKEN", "value": "s3cret-value"}},
			{"POST", "/api/v1/organizations/" + f.org + "/api-keys", map[string]any{"name": "deploy", "role": "developer"}},
			{"POST", "/api/v1/organizations/" + f.org + "/roles", map[string]any{"name": "auditor", "permissions": []string{"audit:view"}}},
			{"POST", "/api/v1/organizations/" + f.org + "/role-bindings", map[string]any{"userId": f.member, "role": "viewer", "projectId": f.project}},
			{"POST", "/api/v1/organizations/" + f.org + "/invitations", map[string]any{"email": "new@example.com", "role": "viewer"}},
			{"POST", "/api/v1/clusters", map[string]any{"organization_id": f.org, "name": "staging-us"}},
			{"PATCH", "/api/v1/clusters/" + f.cluster, map[string]any{"region": "us-east-1"}},
		}
		for _, rt := range tm.e.api.Routes() {
			if rt.Method == http.MethodDelete {
				path := strings.Replace(f.path(rt.Path), "{sessionId}", tokenSID(t, tm.tokens[rbac.Owner]), 1)
				if rt.Path == "/api/v1/organizations/{id}" {
					path += "?confirm=atomic" // the fixture's slug: an unconfirmed delete is refused before any write
				}
				calls = append(calls, call{"DELETE", path, nil})
			}
		}
		before := rowCounts(t, tm)
		// The audit log becomes unwritable: every append fails.
		if _, err := tm.e.st.DB().Exec(`ALTER TABLE audit_log RENAME TO audit_log_away`); err != nil {
			t.Fatal(err)
		}
		for _, c := range calls {
			status, body := send(t, tm.e, c.method, c.path, owner, c.body)
			if status < 500 {
				t.Errorf("%s %s with the audit log unwritable: %d %s, want a server error", c.method, c.path, status, body)
			}
		}
		if _, err := tm.e.st.DB().Exec(`ALTER TABLE audit_log_away RENAME TO audit_log`); err != nil {
			t.Fatal(err)
		}
		if after := rowCounts(t, tm); after != before {
			t.Errorf("changes committed without their audit entries:\nbefore %s\nafter  %s", before, after)
		}
		status, body = send(t, tm.e, "GET", "/api/v1/audit/logs/verify", owner, nil)
		if status != http.StatusOK || !strings.Contains(string(body), `"ok":true`) {
			t.Errorf("verify: %d %s", status, body)
		}
	})
}

// TestSignInCommitsWithItsAuditEntry: a sign-in's session and a refresh's
// rotation commit with their audit entries. With the audit log unwritable
// both fail and write no session; with it writable, the sign-in's success
// entry names the user once.
func TestSignInCommitsWithItsAuditEntry(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		e := tm.e
		viewer := rbac.Viewer + "-member@example.com"
		tr := e.login(t, viewer, adminPassword)
		sessions := func() int {
			var n int
			must(t, e.st.DB().QueryRow(`SELECT COUNT(*) FROM sessions`).Scan(&n))
			return n
		}
		var logins int
		must(t, e.st.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.login' AND outcome = 'success' AND actor_id = '`+tm.users[rbac.Viewer]+`' AND target_id = '`+tm.users[rbac.Viewer]+`'`).Scan(&logins))
		if logins < 1 {
			t.Errorf("no success entry naming the viewer for the sign-in")
		}
		before := sessions()
		if _, err := e.st.DB().Exec(`ALTER TABLE audit_log RENAME TO audit_log_away`); err != nil {
			t.Fatal(err)
		}
		for _, c := range []struct {
			path string
			body any
		}{
			{"/api/v1/auth/login", map[string]string{"email": viewer, "password": adminPassword}},
			{"/api/v1/auth/refresh", map[string]string{"refresh_token": tr.RefreshToken}},
		} {
			if status, body := send(t, e, "POST", c.path, nil, c.body); status < 500 {
				t.Errorf("%s with the audit log unwritable: %d %s, want a server error", c.path, status, body)
			}
		}
		if _, err := e.st.DB().Exec(`ALTER TABLE audit_log_away RENAME TO audit_log`); err != nil {
			t.Fatal(err)
		}
		if after := sessions(); after != before {
			t.Errorf("sessions %d → %d: a sign-in or refresh committed without its audit entry", before, after)
		}
		// The refresh token was not rotated, so it still works once.
		if status, body := send(t, e, "POST", "/api/v1/auth/refresh", nil, map[string]string{"refresh_token": tr.RefreshToken}); status != http.StatusOK {
			t.Errorf("refresh after the failed one: %d %s", status, body)
		}
	})
}

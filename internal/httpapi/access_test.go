package httpapi_test

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/ratelimit"
	"github.com/usecapsule/capsule/internal/rbac"
)

func decode[T any](t testing.TB, body []byte) T {
	t.Helper()
	var v T
	if err := json.Unmarshal(body, &v); err != nil {
		t.Fatalf("decoding %s: %v", body, err)
	}
	return v
}

// auditEntries returns the organization's audit entries as the owner sees them.
func (tm *team) auditEntries(t testing.TB, org, query string) []audit.Entry {
	t.Helper()
	status, body := send(t, tm.e, "GET", "/api/v1/audit/logs?limit=1000&organizationId="+org+query, bearer(tm.tokens[rbac.Owner]), nil)
	if status != http.StatusOK {
		t.Fatalf("audit logs: %d %s", status, body)
	}
	return decode[httpapi.AuditList](t, body).Items
}

func hasEntry(es []audit.Entry, action, outcome string) bool {
	for _, e := range es {
		if e.Action == action && e.Outcome == outcome {
			return true
		}
	}
	return false
}

func TestAPIKeys(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "keys")
		owner := bearer(tm.tokens[rbac.Owner])
		status, body := send(t, tm.e, "POST", "/api/v1/organizations/"+f.org+"/api-keys", owner,
			map[string]any{"name": "ci", "role": "developer", "projectId": f.project})
		if status != http.StatusCreated {
			t.Fatalf("create key: %d %s", status, body)
		}
		k := decode[httpapi.CreatedAPIKey](t, body)
		if !strings.HasPrefix(k.Key, "cap_") {
			t.Fatalf("key %q", k.Key)
		}
		// The list never shows the secret.
		_, list := send(t, tm.e, "GET", "/api/v1/organizations/"+f.org+"/api-keys", owner, nil)
		if bytes.Contains(list, []byte(k.Key)) || !bytes.Contains(list, []byte(k.ID)) {
			t.Fatalf("key list: %s", list)
		}
		for name, h := range map[string]map[string]string{"X-API-Key": {"X-API-Key": k.Key}, "Bearer": bearer(k.Key)} {
			if status, body := send(t, tm.e, "GET", "/api/v1/services/"+f.service, h, nil); status != http.StatusOK {
				t.Errorf("%s: service in the key's project: %d %s", name, status, body)
			}
		}
		key := map[string]string{"X-API-Key": k.Key}
		// A developer key cannot deploy to production, nor manage the organization.
		if status, _ := send(t, tm.e, "POST", "/api/v1/services/"+f.service+"/deploy", key, map[string]string{"environmentId": f.prod}); status != http.StatusForbidden {
			t.Errorf("developer key deploying to production: %d", status)
		}
		if status, _ := send(t, tm.e, "GET", "/api/v1/organizations/"+f.org+"/api-keys", key, nil); status != http.StatusForbidden {
			t.Errorf("developer key listing keys: %d", status)
		}
		// Scoped to one project: another project of the organization is out of reach.
		other := tm.newFixture(t, "keys-other")
		if status, _ := send(t, tm.e, "GET", "/api/v1/projects/"+other.project, key, nil); status != http.StatusNotFound {
			t.Errorf("key on another organization's project: %d", status)
		}
		// Escalation: an admin cannot mint an owner key.
		if status, body := send(t, tm.e, "POST", "/api/v1/organizations/"+f.org+"/api-keys", bearer(tm.tokens[rbac.Admin]),
			map[string]any{"name": "x", "role": "owner"}); status != http.StatusForbidden {
			t.Errorf("admin minting an owner key: %d %s", status, body)
		}
		// Revoked, malformed and unknown keys are 401.
		if status, _ := send(t, tm.e, "DELETE", "/api/v1/organizations/"+f.org+"/api-keys/"+k.ID, owner, nil); status != http.StatusNoContent {
			t.Fatalf("revoke: %d", status)
		}
		for _, bad := range []string{k.Key, "cap_nonsense", k.Key[:len(k.Key)-1] + "a"} {
			if status, body := send(t, tm.e, "GET", "/api/v1/services/"+f.service, map[string]string{"X-API-Key": bad}, nil); status != http.StatusUnauthorized || errorCode(body) != "INVALID_API_KEY" {
				t.Errorf("key %q: %d %s", bad, status, body)
			}
		}
		es := tm.auditEntries(t, f.org, "")
		if !hasEntry(es, "organizations.api-keys.create", audit.OutcomeSuccess) || !hasEntry(es, "services.deploy", audit.OutcomeDenied) {
			t.Errorf("audit misses the key's creation or its denied deploy: %+v", es)
		}
	})
}

// TestScopedBindings: a developer may deploy to staging and not to
// production, until an environment-scoped binding grants production.
func TestScopedBindings(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "scoped")
		dev := bearer(tm.tokens[rbac.Developer])
		owner := bearer(tm.tokens[rbac.Owner])
		deploy := func(env string) int {
			status, _ := send(t, tm.e, "POST", "/api/v1/services/"+f.service+"/deploy", dev, map[string]string{"environmentId": env})
			return status
		}
		if s := deploy(f.staging); s == http.StatusForbidden || s == http.StatusNotFound {
			t.Fatalf("developer deploying to staging: %d", s)
		}
		if s := deploy(f.prod); s != http.StatusForbidden {
			t.Fatalf("developer deploying to production: %d", s)
		}
		status, body := send(t, tm.e, "POST", "/api/v1/organizations/"+f.org+"/roles", owner,
			map[string]any{"name": "prod-deployer", "permissions": []string{"deploy:production"}})
		if status != http.StatusCreated {
			t.Fatalf("custom role: %d %s", status, body)
		}
		status, body = send(t, tm.e, "POST", "/api/v1/organizations/"+f.org+"/role-bindings", owner,
			map[string]any{"userId": tm.users[rbac.Developer], "role": "prod-deployer", "projectId": f.project, "environmentId": f.prod})
		if status != http.StatusCreated {
			t.Fatalf("binding: %d %s", status, body)
		}
		if s := deploy(f.prod); s == http.StatusForbidden || s == http.StatusNotFound {
			t.Fatalf("developer with the production binding: %d", s)
		}
		// The binding names one environment: production of another project stays closed.
		other := tm.newFixture(t, "scoped-other")
		if status, _ := send(t, tm.e, "POST", "/api/v1/services/"+other.service+"/deploy", dev, map[string]string{"environmentId": other.prod}); status != http.StatusForbidden {
			t.Fatalf("binding leaked to another project: %d", status)
		}
	})
}

func TestAuditLogAndTamper(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "audited")
		owner := bearer(tm.tokens[rbac.Owner])
		send(t, tm.e, "PUT", "/api/v1/projects/"+f.project, bearer(tm.tokens[rbac.Viewer]), map[string]any{"name": "x"})
		send(t, tm.e, "POST", "/api/v1/projects", owner, map[string]any{"organizationId": f.org, "name": "Audited", "slug": "audited"})
		send(t, tm.e, "POST", "/api/v1/auth/login", nil, map[string]string{"email": adminEmail, "password": "wrong password!"})
		send(t, tm.e, "PUT", "/api/v1/projects/"+f.project, owner, map[string]any{"name": "Renamed", "slug": "shop", "version": 1})
		es := tm.auditEntries(t, f.org, "")
		if !hasEntry(es, "projects.create", audit.OutcomeSuccess) || !hasEntry(es, "projects.update", audit.OutcomeDenied) {
			t.Fatalf("audit log misses the create or the denial: %+v", es)
		}
		var renamed bool
		for _, e := range es {
			if e.Action == "projects.update" && e.Outcome == audit.OutcomeSuccess {
				renamed = e.Before["name"] == "shop" && e.After["name"] == "Renamed"
			}
		}
		if !renamed {
			t.Errorf("the update's entry lacks its before/after summary: %+v", es)
		}
		all := tm.auditEntries(t, f.org, "&action=projects.*&outcome=success")
		for _, e := range all {
			if !strings.HasPrefix(e.Action, "projects.") || e.Outcome != audit.OutcomeSuccess || e.IP == "" || e.RequestID == "" {
				t.Errorf("filtered entry %+v", e)
			}
		}
		// SQL metacharacters in every filter are data.
		for _, q := range []string{"&actor=%27%20OR%201%3D1--", "&action=%25*", "&target=x%27%3B%20DROP%20TABLE%20audit_log%3B--"} {
			if es := tm.auditEntries(t, f.org, q); len(es) != 0 {
				t.Errorf("filter %s matched %d entries", q, len(es))
			}
		}
		if status, body := send(t, tm.e, "GET", "/api/v1/audit/logs?organizationId="+f.org+"&from=yesterday", owner, nil); status != http.StatusBadRequest {
			t.Errorf("bad time filter: %d %s", status, body)
		}
		// Exports.
		status, jsonl := send(t, tm.e, "GET", "/api/v1/audit/logs?format=jsonl&organizationId="+f.org, owner, nil)
		if status != http.StatusOK || bytes.Count(jsonl, []byte("\n")) < 2 {
			t.Errorf("jsonl export: %d %s", status, jsonl)
		}
		status, csv := send(t, tm.e, "GET", "/api/v1/audit/logs?format=csv&organizationId="+f.org, owner, nil)
		if status != http.StatusOK || !bytes.HasPrefix(csv, []byte("seq,time,actorType")) {
			t.Errorf("csv export: %d %s", status, csv)
		}
		// Viewers may not read the audit log.
		if status, _ := send(t, tm.e, "GET", "/api/v1/audit/logs?organizationId="+f.org, bearer(tm.tokens[rbac.Viewer]), nil); status != http.StatusForbidden {
			t.Errorf("viewer reading the audit log: %d", status)
		}
		// Intact, then edit a row directly in the database.
		verify := func() httpapi.AuditVerification {
			status, body := send(t, tm.e, "GET", "/api/v1/audit/logs/verify", owner, nil)
			if status != http.StatusOK {
				t.Fatalf("verify: %d %s", status, body)
			}
			return decode[httpapi.AuditVerification](t, body)
		}
		if v := verify(); !v.OK || v.Checked < 3 {
			t.Fatalf("intact log: %+v", v)
		}
		victim := es[len(es)/2].Seq
		if _, err := tm.e.st.DB().Exec(`UPDATE audit_log SET outcome = 'success', actor_id = 'nobody' WHERE seq = ` + strconv.FormatInt(victim, 10)); err != nil {
			t.Fatal(err)
		}
		if v := verify(); v.OK || v.Finding == nil || v.Finding.Seq != victim || v.Finding.Problem != audit.Altered {
			t.Fatalf("after editing entry %d: %+v (finding %+v)", victim, v, v.Finding)
		}
	})
}

// allAudit reads the whole log from the store (sign-in entries belong to no organization).
func (tm *team) allAudit(t testing.TB) []audit.Entry {
	t.Helper()
	es, err := tm.ids.ListAudit(t.Context(), identitystore.AuditFilter{Limit: 1000})
	must(t, err)
	return es
}

func TestForgedTokensAudited(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		enc := base64.RawURLEncoding
		parts := strings.Split(tm.tokens[rbac.Viewer], ".")
		none := enc.EncodeToString([]byte(`{"alg":"none","typ":"JWT"}`)) + "." + parts[1] + "."
		tampered := parts[0] + "." + enc.EncodeToString([]byte(`{"sub":"`+tm.users[rbac.Owner]+`","sid":"x"}`)) + "." + parts[2]
		for name, tok := range map[string]string{"alg none": none, "tampered": tampered, "garbage": "abc", "huge": strings.Repeat("a", 8000)} {
			status, body := send(t, tm.e, "GET", "/api/v1/projects", bearer(tok), nil)
			if status != http.StatusUnauthorized {
				t.Errorf("%s token: %d %s", name, status, body)
			}
		}
		denied := 0
		for _, e := range tm.allAudit(t) {
			if e.Action == "projects.read" && e.Outcome == audit.OutcomeDenied && e.ActorType == audit.ActorAnon {
				denied++
			}
		}
		if denied != 4 {
			t.Errorf("%d denied entries for 4 forged tokens", denied)
		}
	})
}

func TestRateLimit(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		ring := testKeyring(t)
		e := newEnv(t, dsn, withKeyring(ring), func(c *httpapi.Config) {
			c.Access.UserRate = ratelimit.Rate{PerMinute: 1, Burst: 2}
		})
		h := bearer(e.token)
		for i := range 2 {
			if status, body := send(t, e, "GET", "/api/v1/projects", h, nil); status != http.StatusOK {
				t.Fatalf("request %d: %d %s", i+1, status, body)
			}
		}
		req, _ := http.NewRequest("GET", e.srv.URL+"/api/v1/projects", nil)
		req.Header.Set("Authorization", "Bearer "+e.token)
		resp, err := e.srv.Client().Do(req)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") == "" {
			t.Fatalf("third request: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
		}
	})
}

// TestBadCredentialFloodThrottled: failed authentication from one IP spends
// its budget; past it the answer is 429 and the audit log stops growing.
func TestBadCredentialFloodThrottled(t *testing.T) {
	e := newEnv(t, sqliteDSN(t), func(c *httpapi.Config) { c.Access.IPRate = ratelimit.Rate{PerMinute: 1, Burst: 3} })
	ids := identitystore.New(e.st)
	for i := range 3 {
		if status, _ := send(t, e, "GET", "/api/v1/projects", bearer("forged"), nil); status != http.StatusUnauthorized {
			t.Fatalf("attempt %d: %d", i+1, status)
		}
	}
	before, _ := ids.ListAudit(t.Context(), identitystore.AuditFilter{Limit: 1000})
	for range 5 {
		if status, _ := send(t, e, "GET", "/api/v1/projects", bearer("forged"), nil); status != http.StatusTooManyRequests {
			t.Fatalf("flood: %d", status)
		}
	}
	after, _ := ids.ListAudit(t.Context(), identitystore.AuditFilter{Limit: 1000})
	if len(after) != len(before) {
		t.Fatalf("audit grew from %d to %d entries under a throttled flood", len(before), len(after))
	}
	// A valid token still works from that IP.
	if status, body := send(t, e, "GET", "/api/v1/projects", bearer(e.token), nil); status != http.StatusOK {
		t.Fatalf("valid token after the flood: %d %s", status, body)
	}
}

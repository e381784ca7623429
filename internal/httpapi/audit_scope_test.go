package httpapi_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestAuditVerifyScopes: an organization's owner verifies the
// organization's entries and nobody else's; the installation's whole chain
// and its checkpoints are for installation admins (owners of "default").
// A break in another organization's entry is named without its detail.
func TestAuditVerifyScopes(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "tenant")
		_, soloOrg := createUser(t, tm.e.st, "solo@example.com", "solo")
		solo := bearer(tm.e.login(t, "solo@example.com", adminPassword).AccessToken)
		owner := bearer(tm.tokens[rbac.Owner])
		if status, body := send(t, tm.e, "POST", "/api/v1/projects", solo, map[string]any{"organizationId": soloOrg, "name": "Solo", "slug": "solo"}); status != http.StatusCreated {
			t.Fatalf("solo project: %d %s", status, body)
		}
		if status, body := send(t, tm.e, "POST", "/api/v1/projects", owner, map[string]any{"organizationId": f.org, "name": "Web", "slug": "web"}); status != http.StatusCreated {
			t.Fatalf("tenant project: %d %s", status, body)
		}

		verifyOrg := func(h map[string]string, org string) (int, orgVerification) {
			status, body := send(t, tm.e, "GET", "/api/v1/organizations/"+org+"/audit/verify", h, nil)
			var v orgVerification
			if status == http.StatusOK {
				v = decode[orgVerification](t, body)
			}
			return status, v
		}
		if status, v := verifyOrg(solo, soloOrg); status != http.StatusOK || !v.OK || v.Checked < 1 {
			t.Fatalf("solo verifying its organization: %d %+v", status, v)
		}
		for _, c := range []struct {
			path string
			want int
		}{
			{"/api/v1/organizations/" + f.org + "/audit/verify", http.StatusNotFound},
			{"/api/v1/audit/logs/verify", http.StatusForbidden},
			{"/api/v1/audit/checkpoints", http.StatusForbidden},
		} {
			if status, body := send(t, tm.e, "GET", c.path, solo, nil); status != c.want {
				t.Errorf("solo owner GET %s: %d %s, want %d", c.path, status, body, c.want)
			}
		}
		if status, body := send(t, tm.e, "GET", "/api/v1/audit/logs/verify", bearer(tm.tokens[rbac.Admin]), nil); status != http.StatusForbidden {
			t.Errorf("an organization admin verifying the installation: %d %s", status, body)
		}
		if status, body := send(t, tm.e, "GET", "/api/v1/audit/logs/verify", owner, nil); status != http.StatusOK || !strings.Contains(string(body), `"ok":true`) {
			t.Errorf("installation admin: %d %s", status, body)
		}

		// Edit the tenant's newest entry: its owner sees the detail, the
		// solo organization only that the chain breaks elsewhere.
		es := tm.auditEntries(t, f.org, "")
		victim := es[len(es)-1].Seq
		if _, err := tm.e.st.DB().Exec(`UPDATE audit_log SET actor_id = 'nobody' WHERE seq = ` + strconv.FormatInt(victim, 10)); err != nil {
			t.Fatal(err)
		}
		if _, v := verifyOrg(owner, f.org); v.OK || v.Finding == nil || v.Finding.Seq != victim || v.Finding.Detail != "content does not match the stored hash" {
			t.Errorf("tenant owner after the edit: %+v %+v", v, v.Finding)
		}
		if _, v := verifyOrg(solo, soloOrg); v.OK || v.Finding == nil || v.Finding.Seq != victim || !strings.Contains(v.Finding.Detail, "outside this organization") {
			t.Errorf("solo owner after another tenant's edit: %+v %+v", v, v.Finding)
		}
	})
}

// orgVerification mirrors httpapi.AuditVerification for decoding.
type orgVerification struct {
	OK      bool           `json:"ok"`
	Checked int            `json:"checked"`
	Finding *audit.Finding `json:"finding"`
}

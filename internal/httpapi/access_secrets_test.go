package httpapi_test

import (
	"bytes"
	"net/http"
	"os"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestSecretStore sets, rotates and reads secrets through the API, checks
// that lists never carry values and every read is audited, then searches
// the raw SQLite file or the PostgreSQL tables for the values.
func TestSecretStore(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "vault")
		owner := bearer(tm.tokens[rbac.Owner])
		const v1, v2 = "postgres://app:CORRECT-HORSE-4711@db/app", "postgres://app:BATTERY-STAPLE-0815@db/app"
		status, body := send(t, tm.e, "POST", "/api/v1/secrets", owner,
			map[string]string{"environmentId": f.prod, "name": "DATABASE_URL", "value": v1})
		if status != http.StatusCreated || bytes.Contains(body, []byte(v1)) {
			t.Fatalf("create: %d %s", status, body)
		}
		sec := decode[identitystore.Secret](t, body)
		if sec.EnvironmentID != f.prod || sec.ProjectID != f.project || sec.OrganizationID != f.org {
			t.Fatalf("secret scope: %+v", sec)
		}
		status, body = send(t, tm.e, "PUT", "/api/v1/secrets/"+sec.ID, owner, map[string]string{"value": v2})
		if status != http.StatusOK || decode[identitystore.Secret](t, body).CurrentVersion != 2 {
			t.Fatalf("rotate: %d %s", status, body)
		}
		status, list := send(t, tm.e, "GET", "/api/v1/secrets?environmentId="+f.prod, owner, nil)
		if status != http.StatusOK || !bytes.Contains(list, []byte("DATABASE_URL")) || bytes.Contains(list, []byte("CORRECT-HORSE")) || bytes.Contains(list, []byte("BATTERY")) {
			t.Fatalf("list: %d %s", status, list)
		}
		read := func(tok, query string) (int, httpapi.SecretValue) {
			status, body := send(t, tm.e, "GET", "/api/v1/secrets/"+sec.ID+"/value"+query, bearer(tok), nil)
			if status != http.StatusOK {
				return status, httpapi.SecretValue{}
			}
			return status, decode[httpapi.SecretValue](t, body)
		}
		if _, v := read(tm.tokens[rbac.Developer], ""); v.Value != v2 || v.Version != 2 {
			t.Fatalf("current value: %+v", v)
		}
		if _, v := read(tm.tokens[rbac.Owner], "?version=1"); v.Value != v1 {
			t.Fatalf("version 1: %+v", v)
		}
		if status, _ := read(tm.tokens[rbac.Viewer], ""); status != http.StatusForbidden {
			t.Fatalf("viewer reading a secret: %d", status)
		}
		if status, _ := send(t, tm.e, "POST", "/api/v1/secrets", bearer(tm.tokens[rbac.Developer]),
			map[string]string{"organizationId": f.org, "name": "X", "value": "y"}); status != http.StatusForbidden {
			t.Fatalf("developer setting a secret: %d", status)
		}
		reads := 0
		for _, e := range tm.allAudit(t) {
			if e.Action == "secrets.value" && e.Outcome == audit.OutcomeSuccess {
				reads++
			}
			for _, m := range []map[string]string{e.Before, e.After} {
				for k, v := range m {
					if strings.Contains(v, "HORSE") || strings.Contains(v, "BATTERY") {
						t.Errorf("audit entry %d leaks the value in %s", e.Seq, k)
					}
				}
			}
		}
		if reads != 2 {
			t.Errorf("%d audited reads, want 2", reads)
		}
		assertValuesNotAtRest(t, tm, dsn, "CORRECT-HORSE-4711", "BATTERY-STAPLE-0815")
	})
}

func assertValuesNotAtRest(t *testing.T, tm *team, dsn string, values ...string) {
	t.Helper()
	var raw []byte
	if strings.HasPrefix(dsn, "postgres") {
		for _, q := range []string{`SELECT t::text FROM secret_versions t`, `SELECT t::text FROM secrets t`, `SELECT t::text FROM audit_log t`} {
			rows, err := tm.e.st.DB().Query(q)
			must(t, err)
			for rows.Next() {
				var s string
				must(t, rows.Scan(&s))
				raw = append(raw, s...)
			}
			rows.Close()
		}
	} else {
		for _, p := range []string{dsn, dsn + "-wal"} {
			b, err := os.ReadFile(p)
			if err != nil && !os.IsNotExist(err) {
				t.Fatal(err)
			}
			raw = append(raw, b...)
		}
	}
	if !bytes.Contains(raw, []byte("DATABASE_URL")) {
		t.Fatal("control search for the secret's name failed; the search proves nothing")
	}
	for _, v := range values {
		if bytes.Contains(raw, []byte(v)) {
			t.Errorf("secret value %q found at rest", v)
		}
	}
}

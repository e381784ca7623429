package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestBillingAccountS3Source: an account created with an S3 source keeps
// the source and answers it without the secret access key, which is a
// sealed secret: listed by name, never read, rotated, deleted or created
// through the secrets API. A source with a bad field is named.
func TestBillingAccountS3Source(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t))
	e, owner := tm.e, bearer(tm.tokens[rbac.Owner])
	s3 := map[string]string{"endpoint": "https://s3.eu-west-1.amazonaws.com", "region": "eu-west-1", "bucket": "acme-billing",
		"prefix": "exports/focus/", "access_key_id": "AKIAEXAMPLE", "secret_access_key": "very-secret-key"}
	st, out := send(t, e, "POST", "/api/v1/billing/accounts", owner,
		map[string]any{"organizationId": e.orgID, "name": "aws-s3", "provider": "aws", "source": map[string]any{"s3": s3}})
	if st != http.StatusCreated || !strings.Contains(string(out), `"bucket":"acme-billing"`) || strings.Contains(string(out), "very-secret-key") {
		t.Fatalf("create: %d %s", st, out)
	}
	st, out = send(t, e, "GET", "/api/v1/billing/accounts?organizationId="+e.orgID, owner, nil)
	if st != http.StatusOK || !strings.Contains(string(out), `"access_key_id":"AKIAEXAMPLE"`) || strings.Contains(string(out), "very-secret-key") {
		t.Fatalf("list: %d %s", st, out)
	}

	st, out = send(t, e, "GET", "/api/v1/secrets?organizationId="+e.orgID, owner, nil)
	var list httpapi.SecretList
	must(t, json.Unmarshal(out, &list))
	var id, name string
	for _, s := range list.Items {
		if strings.HasPrefix(s.Name, "capsule.billing.") {
			id, name = s.ID, s.Name
		}
	}
	if st != http.StatusOK || id == "" {
		t.Fatalf("secrets list: %d %s", st, out)
	}
	for _, c := range []struct {
		method, path string
		body         any
	}{
		{"GET", "/api/v1/secrets/" + id + "/value", nil},
		{"PUT", "/api/v1/secrets/" + id, map[string]string{"value": "mine"}},
		{"DELETE", "/api/v1/secrets/" + id, nil},
		{"POST", "/api/v1/secrets", map[string]string{"organizationId": e.orgID, "name": name + "x", "value": "x"}},
	} {
		status, body := send(t, e, c.method, c.path, owner, c.body)
		if status != http.StatusForbidden || errorCode(body) != "BILLING_SOURCE_SECRET_SEALED" {
			t.Errorf("%s %s: %d %s, want 403 BILLING_SOURCE_SECRET_SEALED", c.method, c.path, status, body)
		}
	}

	for field, bad := range map[string]map[string]string{
		"source.s3.endpoint":          {"endpoint": "ftp://x", "bucket": "b", "access_key_id": "k", "secret_access_key": "s"},
		"source.s3.bucket":            {"endpoint": "https://s3.example.com", "access_key_id": "k", "secret_access_key": "s"},
		"source.s3.secret_access_key": {"endpoint": "https://s3.example.com", "bucket": "b", "access_key_id": "k"},
	} {
		st, out := send(t, e, "POST", "/api/v1/billing/accounts", owner,
			map[string]any{"organizationId": e.orgID, "name": "bad-" + field, "provider": "aws", "source": map[string]any{"s3": bad}})
		if st != http.StatusBadRequest || !strings.Contains(string(out), field) {
			t.Errorf("%s: %d %s", field, st, out)
		}
	}
}

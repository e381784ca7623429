package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/rbac"
	"github.com/usecapsule/capsule/internal/webhook"
)

// TestWebhookSecretShownOnce: the create answers the signing secret; the
// webhook's reads and lists never carry it, and the secrets API refuses to
// open it although it lives in the secret store.
func TestWebhookSecretShownOnce(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		owner := bearer(tm.tokens[rbac.Owner])
		status, body := send(t, tm.e, "POST", "/api/v1/webhooks", owner,
			map[string]any{"organizationId": tm.e.orgID, "url": "https://hooks.example.com/a", "events": []string{"deployment.*", "audit.*"}})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, body)
		}
		c := decode[webhook.Created](t, body)
		if _, err := webhook.SecretKey(c.Secret); err != nil || !c.Enabled {
			t.Fatalf("created %+v: %v", c, err)
		}
		for _, path := range []string{"/api/v1/webhooks/" + c.ID, "/api/v1/webhooks?organizationId=" + tm.e.orgID, "/api/v1/webhooks"} {
			status, body := send(t, tm.e, "GET", path, owner, nil)
			if status != http.StatusOK || !bytes.Contains(body, []byte(c.ID)) || bytes.Contains(body, []byte(c.Secret)) || bytes.Contains(body, []byte("whsec_")) {
				t.Errorf("GET %s: %d %s", path, status, body)
			}
		}
		secs, err := tm.ids.ListSecrets(context.Background(), tm.e.orgID, "", "")
		must(t, err)
		var secretID string
		for _, s := range secs {
			if s.Name == webhook.SecretNamePrefix+c.ID {
				secretID = s.ID
			}
		}
		if secretID == "" {
			t.Fatalf("no sealed signing secret among %+v", secs)
		}
		status, body = send(t, tm.e, "GET", "/api/v1/secrets/"+secretID+"/value", owner, nil)
		if status != http.StatusForbidden || errorCode(body) != capsule.CodeWebhookSecretSealed || bytes.Contains(body, []byte("whsec_")) {
			t.Errorf("reading the signing secret through the secrets API: %d %s", status, body)
		}
		status, body = send(t, tm.e, "DELETE", "/api/v1/webhooks/"+c.ID, owner, nil)
		if status != http.StatusNoContent {
			t.Fatalf("delete: %d %s", status, body)
		}
		if _, err := tm.ids.FindSecret(context.Background(), secretID); !capsule.IsNotFound(err) {
			t.Errorf("the signing secret outlived its webhook: %v", err)
		}
	})
}

// TestWebhookInputRefused: every bad field is named.
func TestWebhookInputRefused(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t))
	status, body := send(t, tm.e, "POST", "/api/v1/webhooks", bearer(tm.tokens[rbac.Owner]),
		map[string]any{"organizationId": tm.e.orgID, "url": "ftp://hooks.example.com", "events": []string{"Deploy!"}})
	if status != http.StatusBadRequest || errorCode(body) != capsule.CodeValidation ||
		!strings.Contains(string(body), `"url"`) || !strings.Contains(string(body), `"events"`) || !strings.Contains(string(body), "Deploy!") {
		t.Errorf("bad webhook: %d %s", status, body)
	}
	status, body = send(t, tm.e, "POST", "/api/v1/webhooks", bearer(tm.tokens[rbac.Owner]),
		map[string]any{"organizationId": tm.e.orgID, "url": "http://169.254.169.254/latest", "events": []string{"*"}})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "egress-allow") {
		t.Errorf("metadata address: %d %s", status, body)
	}
}

// TestAuditedChangeQueuesWebhook: with the audit hook registered (as the
// server does), an audited API change queues audit.<action> for a webhook
// subscribed to audit.*, visible in its delivery log.
func TestAuditedChangeQueuesWebhook(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		tm.ids.OnAuditAppend(webhook.AuditHook)
		owner := bearer(tm.tokens[rbac.Owner])
		status, body := send(t, tm.e, "POST", "/api/v1/webhooks", owner,
			map[string]any{"organizationId": tm.e.orgID, "url": "https://hooks.example.com/audit", "events": []string{"audit.*"}})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, body)
		}
		c := decode[webhook.Created](t, body)
		status, body = send(t, tm.e, "PATCH", "/api/v1/webhooks/"+c.ID, owner, map[string]any{"description": "audit feed"})
		if status != http.StatusOK || decode[webhook.Subscription](t, body).Description != "audit feed" {
			t.Fatalf("patch: %d %s", status, body)
		}
		status, body = send(t, tm.e, "GET", "/api/v1/webhooks/"+c.ID+"/deliveries?limit=1", owner, nil)
		if status != http.StatusOK {
			t.Fatalf("deliveries: %d %s", status, body)
		}
		l := decode[capsule.List[webhook.Delivery]](t, body)
		if len(l.Items) != 1 || !strings.HasPrefix(l.Items[0].EventType, "audit.") || l.Items[0].Status != webhook.StatusPending || l.NextCursor == "" {
			t.Fatalf("deliveries page: %s", body)
		}
		status, body = send(t, tm.e, "GET", "/api/v1/webhooks/"+c.ID+"/deliveries?cursor="+l.NextCursor, owner, nil)
		if rest := decode[capsule.List[webhook.Delivery]](t, body); status != http.StatusOK || len(rest.Items) == 0 || rest.Items[0].ID == l.Items[0].ID {
			t.Fatalf("next page: %d %s", status, body)
		}
	})
}

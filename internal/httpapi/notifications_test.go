package httpapi_test

import (
	"bytes"
	"context"
	"net/http"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/notify"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestNotificationChannelSecretsSealed: a channel's secret parts are never
// answered (a webhook channel's generated signing secret once, at create),
// the secrets API refuses them, and a test send reports the egress refusal
// of a loopback Slack URL as undelivered.
func TestNotificationChannelSecretsSealed(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t))
	owner := bearer(tm.tokens[rbac.Owner])
	const hook = "https://hooks.slack.com/services/T000/B000/SECRETPART"
	status, body := send(t, tm.e, "POST", "/api/v1/notifications/channels", owner, map[string]any{"organizationId": tm.e.orgID,
		"name": "deploys", "kind": "slack_webhook", "secret": map[string]string{"url": hook}, "quietHours": map[string]string{"start": "22:00", "end": "07:00", "timezone": "Europe/Berlin"}})
	if status != http.StatusCreated || bytes.Contains(body, []byte("SECRETPART")) {
		t.Fatalf("create: %d %s", status, body)
	}
	ch := decode[notify.CreatedChannel](t, body)
	status, body = send(t, tm.e, "POST", "/api/v1/notifications/channels", owner, map[string]any{"organizationId": tm.e.orgID,
		"name": "audit", "kind": "webhook", "config": map[string]string{"url": "https://hooks.example.com/n"}})
	if wh := decode[notify.CreatedChannel](t, body); status != http.StatusCreated || !strings.HasPrefix(wh.SigningSecret, "whsec_") {
		t.Fatalf("webhook channel: %d %s", status, body)
	}
	status, body = send(t, tm.e, "GET", "/api/v1/notifications/channels", owner, nil)
	if status != http.StatusOK || bytes.Contains(body, []byte("SECRETPART")) || bytes.Contains(body, []byte("whsec_")) || !bytes.Contains(body, []byte(ch.ID)) {
		t.Fatalf("list: %d %s", status, body)
	}
	secs, err := tm.ids.ListSecrets(context.Background(), tm.e.orgID, "", "")
	must(t, err)
	for _, s := range secs {
		if s.Name == notify.SecretNamePrefix+ch.ID {
			status, body := send(t, tm.e, "GET", "/api/v1/secrets/"+s.ID+"/value", owner, nil)
			if status != http.StatusForbidden || errorCode(body) != capsule.CodeWebhookSecretSealed || bytes.Contains(body, []byte("SECRETPART")) {
				t.Errorf("reading the channel's secret: %d %s", status, body)
			}
		}
	}
	status, body = send(t, tm.e, "POST", "/api/v1/notifications/rules", owner, map[string]any{"organizationId": tm.e.orgID,
		"channelId": ch.ID, "events": []string{"deployment.exploded"}, "minSeverity": "urgent"})
	if status != http.StatusBadRequest || !strings.Contains(string(body), "events[0]") || !strings.Contains(string(body), "minSeverity") {
		t.Errorf("bad rule: %d %s", status, body)
	}
	status, body = send(t, tm.e, "GET", "/api/v1/notifications/channels", bearer(tm.tokens[rbac.Viewer]), nil)
	if status != http.StatusOK || bytes.Contains(body, []byte(ch.ID)) {
		t.Errorf("a viewer lists channels: %d %s", status, body)
	}
}

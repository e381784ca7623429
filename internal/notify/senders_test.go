package notify_test

import (
	"context"
	"encoding/json"
	"io"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync"
	"testing"
	"time"

	standardwebhooks "github.com/standard-webhooks/standard-webhooks/libraries/go"

	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/notify"
	"github.com/usecapsule/capsule/internal/webhook"
)

func client() *http.Client {
	return egress.New(egress.Options{Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}, Timeout: 5 * time.Second})
}

var msg = notify.Message{Kind: notify.EventDeploymentFailed, Severity: notify.SeverityError, Title: "Deployment failed: api in production",
	Text: "image pull failed", URL: "https://capsule.example.com/deployments/d-1", Count: 1, DedupKey: "deployment.failed:o:p:e",
	Time: time.Date(2026, 12, 7, 22, 0, 0, 0, time.UTC), Scope: notify.Scope{OrganizationID: "o", ProjectID: "p", EnvironmentID: "e"}}

// provider is an HTTP server that checks requests as a provider documents
// them: check returns the status to answer and the body, or fails the test.
func provider(t *testing.T, check func(r *http.Request, body map[string]any) (int, string)) (*httptest.Server, *int) {
	t.Helper()
	var mu sync.Mutex
	n := 0
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		raw, _ := io.ReadAll(r.Body)
		var body map[string]any
		if err := json.Unmarshal(raw, &body); err != nil {
			t.Errorf("body is not a JSON object: %s", raw)
		}
		if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
			t.Errorf("content type %q", ct)
		}
		if r.Method != http.MethodPost {
			t.Errorf("method %s", r.Method)
		}
		mu.Lock()
		n++
		mu.Unlock()
		status, answer := check(r, body)
		w.WriteHeader(status)
		_, _ = io.WriteString(w, answer)
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func TestSlackIncomingWebhook(t *testing.T) {
	srv, n := provider(t, func(r *http.Request, b map[string]any) (int, string) {
		blocks, _ := b["blocks"].([]any)
		if b["text"] != msg.Title || len(blocks) == 0 {
			t.Errorf("slack body: %v", b)
		}
		section, _ := blocks[1].(map[string]any)["text"].(map[string]any)
		if text, _ := section["text"].(string); !strings.Contains(text, "<https://capsule.example.com/deployments/d-1|Open in Capsule>") {
			t.Errorf("no link to the UI in %q", text)
		}
		return 200, "ok"
	})
	must(t, notify.SlackWebhook{URL: srv.URL + "/services/T/B/X"}.Send(context.Background(), client(), msg))
	if *n != 1 {
		t.Fatalf("%d requests", *n)
	}
	bad, _ := provider(t, func(*http.Request, map[string]any) (int, string) { return 404, "no_service: secret-ish text" })
	err := notify.SlackWebhook{URL: bad.URL}.Send(context.Background(), client(), msg)
	if err == nil || !strings.Contains(err.Error(), "404") || strings.Contains(err.Error(), "secret-ish") {
		t.Errorf("failed send: %v", err)
	}
}

func TestSlackBot(t *testing.T) {
	srv, _ := provider(t, func(r *http.Request, b map[string]any) (int, string) {
		if r.URL.Path != "/api/chat.postMessage" || r.Header.Get("Authorization") != "Bearer xoxb-test-token" {
			t.Errorf("path %s, auth %q", r.URL.Path, r.Header.Get("Authorization"))
		}
		if b["channel"] == "#missing" {
			return 200, `{"ok":false,"error":"channel_not_found"}`
		}
		if b["channel"] != "#deploys" || b["text"] != msg.Title {
			t.Errorf("body %v", b)
		}
		return 200, `{"ok":true,"channel":"C1","ts":"1.2"}`
	})
	bot := notify.SlackBot{Token: "xoxb-test-token", Channel: "#deploys", BaseURL: srv.URL + "/api"}
	must(t, bot.Send(context.Background(), client(), msg))
	bot.Channel = "#missing"
	if err := bot.Send(context.Background(), client(), msg); err == nil || !strings.Contains(err.Error(), "channel_not_found") {
		t.Errorf("missing channel: %v", err)
	}
}

func TestTeamsAdaptiveCard(t *testing.T) {
	srv, _ := provider(t, func(r *http.Request, b map[string]any) (int, string) {
		atts, _ := b["attachments"].([]any)
		if b["type"] != "message" || len(atts) != 1 {
			t.Fatalf("teams body %v", b)
		}
		a := atts[0].(map[string]any)
		card, _ := a["content"].(map[string]any)
		if a["contentType"] != "application/vnd.microsoft.card.adaptive" || card["type"] != "AdaptiveCard" || card["version"] == nil {
			t.Errorf("attachment %v", a)
		}
		raw, _ := json.Marshal(card["actions"])
		if !strings.Contains(string(raw), "Action.OpenUrl") || !strings.Contains(string(raw), msg.URL) {
			t.Errorf("actions %s", raw)
		}
		return 202, ""
	})
	must(t, notify.Teams{URL: srv.URL}.Send(context.Background(), client(), msg))
}

func TestPagerDutyEventsV2(t *testing.T) {
	var actions []string
	srv, _ := provider(t, func(r *http.Request, b map[string]any) (int, string) {
		if r.URL.Path != "/v2/enqueue" {
			t.Errorf("path %s", r.URL.Path)
		}
		p, _ := b["payload"].(map[string]any)
		if b["routing_key"] != "R0UT1NGKEY0123456789012345678901" || b["dedup_key"] != msg.DedupKey || p == nil {
			t.Errorf("event %v", b)
		}
		switch p["severity"] {
		case "critical", "error", "warning", "info":
		default:
			t.Errorf("severity %v is not one PagerDuty knows", p["severity"])
		}
		if p["summary"] != msg.Title || p["source"] == "" {
			t.Errorf("payload %v", p)
		}
		actions = append(actions, b["event_action"].(string))
		return 202, `{"status":"success","message":"Event processed","dedup_key":"x"}`
	})
	pd := notify.PagerDuty{RoutingKey: "R0UT1NGKEY0123456789012345678901", BaseURL: srv.URL}
	must(t, pd.Send(context.Background(), client(), msg))
	res := msg
	res.Resolve = true
	must(t, pd.Send(context.Background(), client(), res))
	if strings.Join(actions, ",") != "trigger,resolve" {
		t.Errorf("actions %v", actions)
	}
}

func TestSignedWebhookChannel(t *testing.T) {
	secret := webhook.NewSecret()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		wh, _ := standardwebhooks.NewWebhook(secret)
		if err := wh.Verify(body, r.Header); err != nil {
			t.Errorf("verification: %v", err)
		}
		if !strings.Contains(string(body), `"type":"notification.deployment.failed"`) {
			t.Errorf("body %s", body)
		}
		w.WriteHeader(204)
	}))
	defer srv.Close()
	must(t, notify.Webhook{URL: srv.URL, Secret: secret}.Send(context.Background(), client(), msg))
}

// TestLoopbackRefused: without the allow list the guarded client refuses.
func TestLoopbackRefused(t *testing.T) {
	srv, n := provider(t, func(*http.Request, map[string]any) (int, string) { return 200, "ok" })
	err := notify.SlackWebhook{URL: srv.URL}.Send(context.Background(), egress.New(egress.Options{}), msg)
	if err == nil || !strings.Contains(err.Error(), "refusing") || *n != 0 {
		t.Errorf("loopback without allow: %v (%d requests)", err, *n)
	}
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"net/http"
	"time"

	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/webhook"
)

// Webhook posts the message as a Standard Webhooks message of type
// "notification.<kind>", signed like Capsule's outbound webhooks.
type Webhook struct {
	URL    string
	Secret string // secret: whsec_...
}

// Send posts the signed message; any 2xx is success.
func (w Webhook) Send(ctx context.Context, hc *http.Client, m Message) error {
	key, err := webhook.SecretKey(w.Secret)
	if err != nil {
		return failed("webhook", "%v", err)
	}
	body, err := json.Marshal(webhook.Message{Type: "notification." + m.Kind, Timestamp: m.Time.UTC(), Data: m})
	if err != nil {
		return failed("webhook", "encoding the message: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, w.URL, bytes.NewReader(body))
	if err != nil {
		return failed("webhook", "invalid URL")
	}
	req.Header.Set("Content-Type", "application/json")
	for k, v := range webhook.Headers(key, "msg_"+m.DedupKey, time.Now(), body) {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if e, ok := egress.AsError(err); ok {
			return failed("webhook", "%s", e.Error())
		}
		return failed("webhook", "the request failed")
	}
	resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return failed("webhook", "the receiver answered HTTP %d", resp.StatusCode)
	}
	return nil
}

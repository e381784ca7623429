package notify

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"net/http"

	"github.com/usecapsule/capsule/internal/egress"
)

// postJSON posts v and returns the status and at most 4 KiB of the answer
// (for the few fields a provider's answer carries, e.g. Slack's "ok"). The
// error names the kind and why, never the answer.
func postJSON(ctx context.Context, hc *http.Client, kind, url string, headers map[string]string, v any) (int, []byte, error) {
	body, err := json.Marshal(v)
	if err != nil {
		return 0, nil, failed(kind, "encoding the message: %v", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return 0, nil, failed(kind, "invalid URL")
	}
	req.Header.Set("Content-Type", "application/json; charset=utf-8")
	req.Header.Set("User-Agent", "Capsule-Notifications/1")
	for k, v := range headers {
		req.Header.Set(k, v)
	}
	resp, err := hc.Do(req)
	if err != nil {
		if e, ok := egress.AsError(err); ok {
			return 0, nil, failed(kind, "%s", e.Error())
		}
		return 0, nil, failed(kind, "the request failed")
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 4<<10))
	return resp.StatusCode, head, nil
}

package apiclient

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// Upload POSTs body as it is (a file, not JSON) with contentType and
// decodes the JSON answer into out. Non-2xx answers become *Error. The body
// is streamed, and the request is bounded by ctx only, not by the client's
// per-request timeout: a month of a cloud bill takes minutes to send.
func (c *Client) Upload(ctx context.Context, path, contentType string, body io.Reader, out any) error {
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.BaseURL+path, body)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("Content-Type", contentType)
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.streamClient().Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", c.BaseURL, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("reading answer of POST %s: %w", path, err)
	}
	if resp.StatusCode >= 300 {
		return decodeError(resp.StatusCode, data)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding answer of POST %s: %w", path, err)
	}
	return nil
}

package apiclient

import (
	"context"
	"fmt"
	"io"
	"net/http"
)

// Download GETs path and returns the answer's body as it is (an archive,
// not JSON), up to limit bytes. Non-2xx answers become *Error.
func (c *Client) Download(ctx context.Context, path string, limit int64) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, c.BaseURL+path, nil)
	if err != nil {
		return nil, err
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return nil, fmt.Errorf("cannot reach %s: %w", c.BaseURL, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, limit+1))
	if err != nil {
		return nil, fmt.Errorf("reading answer of GET %s: %w", path, err)
	}
	if resp.StatusCode >= 300 {
		return nil, decodeError(resp.StatusCode, data)
	}
	if int64(len(data)) > limit {
		return nil, fmt.Errorf("the answer of GET %s is larger than %d bytes", path, limit)
	}
	return data, nil
}

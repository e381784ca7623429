// Package openaichat is the explain.Provider for OpenAI-compatible
// chat-completions endpoints: OpenAI, Azure OpenAI, Ollama, vLLM and others
// that speak POST /v1/chat/completions.
//
// URL is the API base ("https://api.openai.com/v1", "http://127.0.0.1:11434/v1");
// "/chat/completions" is appended unless the URL already ends with it. With
// APIVersion set the client speaks Azure's dialect: the key goes in the
// api-key header (not Authorization: Bearer) and api-version in the query;
// URL is then the deployment's base
// (https://NAME.openai.azure.com/openai/deployments/DEPLOYMENT).
package openaichat

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"unicode"

	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/explain"
)

// Client calls one model of one endpoint.
type Client struct {
	URL        string
	Model      string
	Key        string
	APIVersion string // non-empty selects Azure OpenAI's dialect
	// HTTP makes the request; nil is the guarded egress client with no
	// allow-list, which refuses loopback and private addresses.
	HTTP *http.Client
}

var _ explain.Provider = (*Client)(nil)

type request struct {
	Model       string            `json:"model"`
	Messages    []explain.Message `json:"messages"`
	Temperature float64           `json:"temperature"`
}

type response struct {
	Choices []struct {
		Message struct {
			Content string `json:"content"`
		} `json:"message"`
	} `json:"choices"`
	Error *struct {
		Message string `json:"message"`
	} `json:"error"`
}

// guarded is the client of a Client without HTTP, shared so that its
// connections are reused.
var guarded = sync.OnceValue(func() *http.Client { return egress.New(egress.Options{}) })

// maxResponse bounds what is read from the endpoint.
const maxResponse = 1 << 20

// Complete sends the chat with temperature 0 (the most repeatable answer)
// and returns the first choice's content.
func (c *Client) Complete(ctx context.Context, messages []explain.Message) (string, error) {
	body, err := json.Marshal(request{Model: c.Model, Messages: messages})
	if err != nil {
		return "", err
	}
	endpoint, err := c.endpoint()
	if err != nil {
		return "", err
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, endpoint, bytes.NewReader(body))
	if err != nil {
		return "", err
	}
	req.Header.Set("Content-Type", "application/json")
	c.authorize(req)
	hc := c.HTTP
	if hc == nil {
		hc = guarded()
	}
	resp, err := hc.Do(req)
	if err != nil {
		if e, ok := egress.AsError(err); ok {
			return "", e
		}
		return "", err
	}
	defer resp.Body.Close()
	return decode(resp)
}

func (c *Client) endpoint() (string, error) {
	u := strings.TrimRight(c.URL, "/")
	if !strings.HasSuffix(u, "/chat/completions") {
		u += "/chat/completions"
	}
	parsed, err := url.Parse(u)
	if err != nil || (parsed.Scheme != "http" && parsed.Scheme != "https") || parsed.Host == "" {
		return "", fmt.Errorf("invalid LLM URL %q (want http(s)://host/v1)", c.URL)
	}
	if c.APIVersion != "" {
		q := parsed.Query()
		q.Set("api-version", c.APIVersion)
		parsed.RawQuery = q.Encode()
	}
	return parsed.String(), nil
}

func (c *Client) authorize(req *http.Request) {
	if c.Key == "" {
		return // Ollama and local vLLM need none
	}
	if c.APIVersion != "" {
		req.Header.Set("api-key", c.Key)
		return
	}
	req.Header.Set("Authorization", "Bearer "+c.Key)
}

func decode(resp *http.Response) (string, error) {
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		if e, ok := egress.AsError(err); ok {
			return "", e
		}
		return "", err
	}
	return decodeBody(resp.StatusCode, raw)
}

// decodeBody reads a chat-completions answer. On an error status only the
// endpoint's structured error message is kept, cut short and stripped of
// control characters, never the raw body: it tells a wrong key from an
// unknown model, and the endpoint is the operator's choice, not a user's.
func decodeBody(status int, raw []byte) (string, error) {
	var r response
	jsonErr := json.Unmarshal(raw, &r)
	if status != http.StatusOK {
		msg := http.StatusText(status)
		if jsonErr == nil && r.Error != nil && r.Error.Message != "" {
			msg = printable(r.Error.Message, 200)
		}
		return "", fmt.Errorf("chat completions returned HTTP %d: %s", status, msg)
	}
	if jsonErr != nil {
		return "", fmt.Errorf("chat completions: invalid JSON response: %w", jsonErr)
	}
	if len(r.Choices) == 0 {
		return "", fmt.Errorf("chat completions: response has no choices")
	}
	return r.Choices[0].Message.Content, nil
}

// printable keeps at most n runes of s, without control characters.
func printable(s string, n int) string {
	var b strings.Builder
	for _, r := range strings.ToValidUTF8(s, "?") {
		if n == 0 {
			b.WriteString("...")
			break
		}
		if unicode.IsControl(r) {
			r = ' '
		}
		b.WriteRune(r)
		n--
	}
	return b.String()
}

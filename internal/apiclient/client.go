// Package apiclient is a small client for Capsule's REST API (/api/v1). It
// speaks JSON, sends the bearer token, and turns the API's one error shape
// ({"error":{"code","message","details"}}) into *Error values.
package apiclient

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// Client calls one Capsule server. Its HTTP client is not the egress
// guard's: the guard keeps the control plane from requests its users aim
// at private addresses, while this client goes where its own user pointed
// it (`capsule login --server`, often a server on loopback).
type Client struct {
	BaseURL string // e.g. http://127.0.0.1:8080
	Token   string // bearer access token or cap_ API key
	HTTP    *http.Client
}

// New returns a client for server with a 30-second request timeout.
func New(server, token string) (*Client, error) {
	u, err := url.Parse(server)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("server %q is not an http(s) URL", server)
	}
	return &Client{
		BaseURL: strings.TrimRight(u.String(), "/"),
		Token:   token,
		HTTP:    &http.Client{Timeout: 30 * time.Second},
	}, nil
}

// streamClient is c.HTTP without its per-request timeout: a stream (logs,
// events) lives as long as its context.
func (c *Client) streamClient() *http.Client {
	hc := http.Client{}
	if c.HTTP != nil {
		hc = *c.HTTP
	}
	hc.Timeout = 0
	return &hc
}

// Error is an error answered by the server.
type Error struct {
	Status  int            `json:"-"`
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details,omitempty"`
}

// Error formats the error as one line: CODE: message (details).
func (e *Error) Error() string {
	msg := e.Code + ": " + e.Message
	if fields, ok := e.Details["fields"].([]any); ok && len(fields) > 0 {
		parts := make([]string, 0, len(fields))
		for _, f := range fields {
			if m, ok := f.(map[string]any); ok {
				parts = append(parts, fmt.Sprintf("%v %v", m["field"], m["message"]))
			}
		}
		msg += " (" + strings.Join(parts, "; ") + ")"
	}
	return msg
}

// TokenResponse is the answer of POST /api/v1/auth/login and /auth/refresh.
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"`
}

// Login exchanges an email and password for tokens.
func (c *Client) Login(ctx context.Context, email, password string) (*TokenResponse, error) {
	var out TokenResponse
	err := c.Do(ctx, http.MethodPost, "/api/v1/auth/login", map[string]string{"email": email, "password": password}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Refresh exchanges a refresh token for new tokens.
func (c *Client) Refresh(ctx context.Context, refreshToken string) (*TokenResponse, error) {
	var out TokenResponse
	err := c.Do(ctx, http.MethodPost, "/api/v1/auth/refresh", map[string]string{"refresh_token": refreshToken}, &out)
	if err != nil {
		return nil, err
	}
	return &out, nil
}

// Do sends a request with an optional JSON body and decodes a JSON answer
// into out (when out is not nil). Non-2xx answers become *Error.
func (c *Client) Do(ctx context.Context, method, path string, body, out any) error {
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("encoding request: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, c.BaseURL+path, rd)
	if err != nil {
		return err
	}
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if c.Token != "" {
		req.Header.Set("Authorization", "Bearer "+c.Token)
	}
	resp, err := c.HTTP.Do(req)
	if err != nil {
		return fmt.Errorf("cannot reach %s: %w", c.BaseURL, unwrapURLError(err))
	}
	defer resp.Body.Close()
	data, err := io.ReadAll(io.LimitReader(resp.Body, 64<<20))
	if err != nil {
		return fmt.Errorf("reading answer of %s %s: %w", method, path, err)
	}
	if resp.StatusCode >= 300 {
		return decodeError(resp.StatusCode, data)
	}
	if out == nil || len(data) == 0 {
		return nil
	}
	if err := json.Unmarshal(data, out); err != nil {
		return fmt.Errorf("decoding answer of %s %s: %w", method, path, err)
	}
	return nil
}

func decodeError(status int, data []byte) error {
	var env struct {
		Error *Error `json:"error"`
	}
	if err := json.Unmarshal(data, &env); err == nil && env.Error != nil && env.Error.Code != "" {
		env.Error.Status = status
		return env.Error
	}
	text := strings.TrimSpace(string(data))
	if len(text) > 200 {
		text = text[:200] + "..."
	}
	return &Error{Status: status, Code: fmt.Sprintf("HTTP_%d", status), Message: http.StatusText(status) + ": " + text}
}

func unwrapURLError(err error) error {
	if ue, ok := err.(*url.Error); ok {
		return ue.Err
	}
	return err
}

package agent

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule/internal/agentproto"
)

// StatusError is a control plane answer other than success.
type StatusError struct {
	Method, Path string
	Status       int
	Code         string
	Message      string
}

func (e *StatusError) Error() string {
	msg := e.Message
	if e.Code != "" {
		msg = e.Code + ": " + msg
	}
	return fmt.Sprintf("%s %s: %d %s", e.Method, e.Path, e.Status, msg)
}

// refused reports whether err says the agent's credential or token is not
// accepted: retrying the same request cannot help.
func refused(err error) bool {
	var se *StatusError
	return errors.As(err, &se) && (se.Status == http.StatusUnauthorized || se.Status == http.StatusForbidden)
}

// client speaks the protocol to one control plane.
type client struct {
	http       *http.Client
	base       string
	agentID    string
	credential string
	userAgent  string
}

// post sends body (gzipped unless plain) and decodes the answer into out.
func (c *client) post(ctx context.Context, path string, body, out any, plain bool) error {
	var data []byte
	var err error
	if plain {
		data, err = json.Marshal(body)
	} else {
		data, err = agentproto.Encode(body)
	}
	if err != nil {
		return fmt.Errorf("agent: encode %s: %w", path, err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, c.base+path, bytes.NewReader(data))
	if err != nil {
		return fmt.Errorf("agent: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if !plain {
		req.Header.Set("Content-Encoding", "gzip")
	}
	if c.credential != "" {
		req.Header.Set("Authorization", "Bearer "+c.credential)
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return fmt.Errorf("agent: POST %s: %w", path, err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return fmt.Errorf("agent: POST %s: read answer: %w", path, err)
	}
	if resp.StatusCode/100 != 2 {
		se := &StatusError{Method: "POST", Path: path, Status: resp.StatusCode}
		var shape struct {
			Error struct{ Code, Message string } `json:"error"`
		}
		if json.Unmarshal(raw, &shape) == nil {
			se.Code, se.Message = shape.Error.Code, shape.Error.Message
		}
		return se
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(raw, out); err != nil {
		return fmt.Errorf("agent: POST %s: answer is not the expected JSON: %w", path, err)
	}
	return nil
}

func (c *client) register(ctx context.Context, req agentproto.RegisterRequest) (*agentproto.RegisterResponse, error) {
	req.Version = agentproto.Version
	var out agentproto.RegisterResponse
	if err := c.post(ctx, "/api/v1/agents/register", req, &out, true); err != nil {
		return nil, err
	}
	if out.AgentID == "" || out.Credential == "" {
		return nil, errors.New("agent: register answered no agent_id or credential")
	}
	return &out, nil
}

func (c *client) dataPath(what string) string {
	return "/api/v1/agents/" + c.agentID + "/" + what
}

func (c *client) send(ctx context.Context, what string, body any) (*agentproto.Ack, error) {
	var ack agentproto.Ack
	if err := c.post(ctx, c.dataPath(what), body, &ack, false); err != nil {
		return nil, err
	}
	if err := agentproto.Check(ack.Version); err != nil {
		return nil, fmt.Errorf("agent: %s answer: %w", what, err)
	}
	return &ack, nil
}

// normalizeServer checks the control plane URL.
func normalizeServer(s string) (string, error) {
	s = strings.TrimRight(strings.TrimSpace(s), "/")
	if !strings.HasPrefix(s, "https://") && !strings.HasPrefix(s, "http://") {
		return "", fmt.Errorf("agent: --server %q must be an http:// or https:// URL", s)
	}
	return s, nil
}

package apiclient

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/usecapsule/capsule/internal/events"
)

// eventsProtocol is the subprotocol of GET /api/v1/events.
const eventsProtocol = "capsule.events.v1"

// EventFilter narrows an event stream; empty lists match everything.
type EventFilter struct {
	Deployments, Services, Environments []string
	Types                               []events.Type
}

func (f EventFilter) query() string {
	q := url.Values{}
	for name, vals := range map[string][]string{"deployment": f.Deployments, "service": f.Services, "environment": f.Environments} {
		for _, v := range vals {
			q.Add(name, v)
		}
	}
	for _, t := range f.Types {
		q.Add("type", string(t))
	}
	if len(q) == 0 {
		return ""
	}
	return "?" + q.Encode()
}

// EventStream is an open GET /api/v1/events WebSocket.
type EventStream struct {
	conn *websocket.Conn
}

// Events opens the live event stream with the client's credential. A
// refusal before the upgrade (401, 400 for a bad filter) is an *Error.
func (c *Client) Events(ctx context.Context, f EventFilter) (*EventStream, error) {
	u := c.BaseURL + "/api/v1/events" + f.query()
	u = "ws" + strings.TrimPrefix(u, "http") // http -> ws, https -> wss
	h := http.Header{}
	if c.Token != "" {
		h.Set("Authorization", "Bearer "+c.Token)
	}
	hc := c.streamClient()
	conn, resp, err := websocket.Dial(ctx, u, &websocket.DialOptions{HTTPClient: hc, HTTPHeader: h, Subprotocols: []string{eventsProtocol}})
	if err != nil {
		if resp != nil && resp.StatusCode != http.StatusSwitchingProtocols {
			data, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			return nil, decodeError(resp.StatusCode, data)
		}
		return nil, fmt.Errorf("cannot open the event stream of %s: %w", c.BaseURL, err)
	}
	conn.SetReadLimit(1 << 20)
	return &EventStream{conn: conn}, nil
}

// ErrStreamEnded reports that the server closed the stream (shutdown,
// expired or revoked credential); reconnect, with a fresh token if needed.
var ErrStreamEnded = errors.New("the server ended the event stream")

// Next returns the next event. A stream.lagged event means events were
// lost: re-read the state you show. Ending ctx closes the stream.
func (s *EventStream) Next(ctx context.Context) (events.Event, error) {
	var e events.Event
	err := wsjson.Read(ctx, s.conn, &e)
	if err == nil {
		return e, nil
	}
	if st := websocket.CloseStatus(err); st != -1 {
		var ce websocket.CloseError
		errors.As(err, &ce)
		return e, fmt.Errorf("%w (%d: %s)", ErrStreamEnded, st, ce.Reason)
	}
	return e, fmt.Errorf("reading the event stream: %w", err)
}

// Close closes the stream.
func (s *EventStream) Close() error {
	return s.conn.Close(websocket.StatusNormalClosure, "")
}

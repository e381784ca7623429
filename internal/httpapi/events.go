package httpapi

import (
	"context"
	"errors"
	"net/http"
	"net/url"
	"slices"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"
	"github.com/google/uuid"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/rbac"
)

// The events stream (GET /api/v1/events) is a WebSocket; each text message
// is one events.Event as JSON.
//
// Decisions:
//   - Authentication is the guard's, before the upgrade (so a refusal is an
//     ordinary 401 or 403 in the API's error shape). Browsers cannot set
//     headers on a WebSocket, so the access token (or cap_ key) may instead
//     travel as the subprotocol "bearer.<token>" offered beside
//     EventsProtocol, which the server selects; the token is never echoed,
//     never put in a URL (where proxies and access logs would keep it) and
//     never logged. A query parameter is not accepted.
//   - Every event is shown only if the caller may deployment:view its scope,
//     decided by rbac.Decide exactly as the guard decides a request. The
//     caller's credentials are re-checked every EventsRecheck (the token's
//     expiry, its session, the user's memberships and bindings, an API
//     key's revocation): lost access closes the stream with 1008 (policy
//     violation), narrowed access narrows what it shows from then on.
//   - Query parameters narrow the stream: deployment, service, environment
//     (UUIDs) and type, each repeatable; naming something invisible shows
//     nothing rather than refusing, so the stream reveals no existence.
//   - Keepalive: the server pings every EventsPing and closes a connection
//     that does not answer. On shutdown every stream closes with 1001.
const EventsProtocol = "capsule.events.v1"

// bearerProtocol prefixes a credential carried as a WebSocket subprotocol.
const bearerProtocol = "bearer."

// Defaults of the events stream.
const (
	DefaultEventsPing    = 30 * time.Second
	DefaultEventsRecheck = 5 * time.Second
	eventsWriteTimeout   = 10 * time.Second
)

var eventParams = []Param{
	{Name: "deployment", Type: "string", Description: "only this deployment's events (repeatable)"},
	{Name: "service", Type: "string", Description: "only this service's events (repeatable)"},
	{Name: "environment", Type: "string", Description: "only this environment's events (repeatable)"},
	{Name: "type", Type: "string", Description: "only events of this type (repeatable)", Enum: eventTypeNames()},
}

func eventTypeNames() []string {
	out := make([]string, len(events.Types))
	for i, t := range events.Types {
		out[i] = string(t)
	}
	return out
}

// MaxStreamsPerCaller bounds the open event streams of one user or API
// key on one replica: each costs two goroutines and a queue, and a client
// that leaks connections must not exhaust the server.
const MaxStreamsPerCaller = 16

// streams are the open event streams, closed together at shutdown.
type streams struct {
	mu       sync.Mutex
	open     map[*websocket.Conn]struct{}
	perOwner map[string]int
	closed   bool
}

// reserve counts a stream of owner, refusing one over the bound.
func (s *streams) reserve(owner string) error {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perOwner == nil {
		s.perOwner = map[string]int{}
	}
	if s.perOwner[owner] >= MaxStreamsPerCaller {
		return capsule.Errorf(capsule.KindRateLimited, capsule.CodeRateLimited,
			"you have %d event streams open, the most one caller may; close one first", MaxStreamsPerCaller)
	}
	s.perOwner[owner]++
	return nil
}

func (s *streams) release(owner string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.perOwner[owner]--; s.perOwner[owner] <= 0 {
		delete(s.perOwner, owner)
	}
}

func (s *streams) add(c *websocket.Conn) bool {
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.closed {
		return false
	}
	if s.open == nil {
		s.open = map[*websocket.Conn]struct{}{}
	}
	s.open[c] = struct{}{}
	return true
}

func (s *streams) remove(c *websocket.Conn) {
	s.mu.Lock()
	defer s.mu.Unlock()
	delete(s.open, c)
}

// CloseStreams closes every events stream with 1001 (going away) and
// refuses new ones; give it to http.Server.RegisterOnShutdown, since
// Shutdown does not wait for or close upgraded connections.
func (a *API) CloseStreams() {
	a.streams.mu.Lock()
	a.streams.closed = true
	open := a.streams.open
	a.streams.open = nil
	a.streams.mu.Unlock()
	for c := range open {
		_ = c.Close(websocket.StatusGoingAway, "the server is shutting down; reconnect")
	}
}

// Events returns the hub the API streams from; publishers (the deploy
// runner) publish on it.
func (a *API) Events() *events.Hub { return a.hub }

// eventFilter reads the stream's query parameters.
func eventFilter(q url.Values) (events.Filter, error) {
	var f events.Filter
	for name, vals := range q {
		var dst *[]string
		switch name {
		case "deployment":
			dst = &f.Deployments
		case "service":
			dst = &f.Services
		case "environment":
			dst = &f.Environments
		case "type":
			for _, v := range vals {
				if !slices.Contains(events.Types, events.Type(v)) {
					return f, invalid(capsule.CodeInvalidParameter, name, "%q is not an event type (one of %s)", clip(v, 64), strings.Join(eventTypeNames(), ", "))
				}
				f.Types = append(f.Types, events.Type(v))
			}
			continue
		default:
			return f, invalid(capsule.CodeInvalidParameter, name, "unknown query parameter (this route accepts deployment, service, environment, type)")
		}
		for _, v := range vals {
			u, err := uuid.Parse(v)
			if err != nil || len(v) != 36 {
				return f, invalid(capsule.CodeInvalidParameter, name, "%q is not an ID", clip(v, 64))
			}
			*dst = append(*dst, u.String())
		}
	}
	return f, nil
}

// credentialFromProtocol moves a "bearer.<token>" subprotocol into the
// Authorization header of a WebSocket handshake that has none, so the guard
// authenticates it like any request. It refuses a credential offered
// without EventsProtocol, which a browser would then fail to open.
func credentialFromProtocol(r *http.Request) (*http.Request, error) {
	if r.Header.Get("Authorization") != "" || r.Header.Get("X-API-Key") != "" {
		return r, nil
	}
	var tok string
	offered := false
	for _, v := range r.Header.Values("Sec-WebSocket-Protocol") {
		for _, p := range strings.Split(v, ",") {
			p = strings.TrimSpace(p)
			switch {
			case strings.HasPrefix(p, bearerProtocol):
				tok = strings.TrimPrefix(p, bearerProtocol)
			case p == EventsProtocol:
				offered = true
			}
		}
	}
	if tok == "" {
		return r, nil
	}
	if !offered {
		return r, invalid(capsule.CodeInvalidParameter, "Sec-WebSocket-Protocol", "offer the subprotocol %s beside the bearer credential", EventsProtocol)
	}
	r2 := r.Clone(r.Context())
	r2.Header.Set("Authorization", "Bearer "+tok)
	return r2, nil
}

func isWebSocket(r *http.Request) bool {
	return headerHas(r.Header, "Connection", "upgrade") && headerHas(r.Header, "Upgrade", "websocket")
}

func headerHas(h http.Header, name, token string) bool {
	for _, v := range h.Values(name) {
		for _, p := range strings.Split(v, ",") {
			if strings.EqualFold(strings.TrimSpace(p), token) {
				return true
			}
		}
	}
	return false
}

// streamEvents upgrades the request and streams the caller's events.
func (a *API) streamEvents(w http.ResponseWriter, r *http.Request) error {
	if !isWebSocket(r) {
		return invalid(capsule.CodeInvalidParameter, "Upgrade", "GET /api/v1/events is a WebSocket: connect with a WebSocket client (Upgrade: websocket, subprotocol %s)", EventsProtocol)
	}
	f, err := eventFilter(r.URL.Query())
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	if p == nil {
		return unauthenticated("authentication required")
	}
	owner := p.caller.UserID // an API key's caller is "apikey:<id>"
	if err := a.streams.reserve(owner); err != nil {
		return err
	}
	defer a.streams.release(owner)
	// The server's read and write timeouts are for requests; an upgraded
	// connection keeps them unless cleared, and would die after them.
	rc := http.NewResponseController(w)
	if err := rc.SetReadDeadline(time.Time{}); err != nil {
		return err
	}
	if err := rc.SetWriteDeadline(time.Time{}); err != nil {
		return err
	}
	c, err := websocket.Accept(w, r, &websocket.AcceptOptions{Subprotocols: []string{EventsProtocol}})
	if err != nil {
		return nil // Accept answered the handshake's error itself
	}
	if !a.streams.add(c) {
		_ = c.Close(websocket.StatusGoingAway, "the server is shutting down; reconnect")
		return nil
	}
	defer a.streams.remove(c)
	s := &eventStream{a: a, c: c, filter: f, creds: credentialRequest(r)}
	s.bindings.Store(&p.bindings)
	s.run()
	return nil
}

// credentialRequest keeps what re-authentication needs of the handshake:
// its credential headers, detached from the request's life.
func credentialRequest(r *http.Request) *http.Request {
	r2 := r.Clone(context.WithoutCancel(r.Context()))
	r2.Body = http.NoBody
	return r2
}

type eventStream struct {
	a        *API
	c        *websocket.Conn
	filter   events.Filter
	creds    *http.Request
	bindings atomic.Pointer[[]rbac.Binding]
}

// visible is the guard's decision for deployment:view on e's scope.
func (s *eventStream) visible(e events.Event) bool {
	if e.Scope.OrganizationID == "" || !s.filter.Match(e) {
		return false
	}
	sc := rbac.Scope{OrgID: e.Scope.OrganizationID, ProjectID: e.Scope.ProjectID, EnvironmentID: e.Scope.EnvironmentID}
	perm := rbac.ServiceView
	if e.Type == events.CostBudget {
		perm = rbac.BillingView // money is for those who may see the bill
	}
	return rbac.Decide(*s.bindings.Load(), perm, sc).Allowed
}

func (s *eventStream) run() {
	ctx := s.c.CloseRead(context.Background()) // ends when the client closes or breaks the connection
	ctx, cancel := context.WithCancelCause(ctx)
	defer cancel(nil)
	sub := s.a.hub.Subscribe(s.visible)
	defer sub.Close()
	go s.keepalive(ctx, cancel)
	for {
		e, err := sub.Next(ctx)
		switch {
		case errors.Is(err, events.ErrClosed):
			_ = s.c.Close(websocket.StatusGoingAway, "the server is shutting down; reconnect")
			return
		case err != nil:
			s.closeFor(context.Cause(ctx))
			return
		}
		wctx, wcancel := context.WithTimeout(ctx, eventsWriteTimeout)
		err = wsjson.Write(wctx, s.c, e)
		wcancel()
		if err != nil {
			_ = s.c.CloseNow()
			return
		}
	}
}

// errAccessEnded ends a stream whose credential is no longer accepted.
var errAccessEnded = errors.New("access ended")

func (s *eventStream) closeFor(cause error) {
	if errors.Is(cause, errAccessEnded) {
		_ = s.c.Close(websocket.StatusPolicyViolation, "the credential is no longer valid (expired, signed out or revoked); reconnect with a fresh one")
		return
	}
	_ = s.c.CloseNow()
}

// keepalive pings the client and re-checks the caller's access until ctx
// ends; it cancels the stream when either fails.
func (s *eventStream) keepalive(ctx context.Context, cancel context.CancelCauseFunc) {
	ping := time.NewTicker(s.a.cfg.EventsPing)
	defer ping.Stop()
	recheck := time.NewTicker(s.a.cfg.EventsRecheck)
	defer recheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-ping.C:
			pctx, pcancel := context.WithTimeout(ctx, eventsWriteTimeout)
			err := s.c.Ping(pctx)
			pcancel()
			if err != nil {
				cancel(err)
				return
			}
		case <-recheck.C:
			p, err := s.a.access.authenticate(s.a, s.creds)
			if err != nil {
				var ce *capsule.Error
				if errors.As(err, &ce) && (ce.Kind == capsule.KindUnauthenticated || ce.Kind == capsule.KindForbidden) {
					cancel(errAccessEnded)
					return
				}
				continue // the database hiccuped: keep the last decision, try again
			}
			s.bindings.Store(&p.bindings)
		}
	}
}

package httpapi_test

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/coder/websocket"
	"github.com/coder/websocket/wsjson"

	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/rbac"
)

// wsURL turns the test server's URL and a path into a ws:// URL.
func wsURL(base, path string) string { return "ws" + strings.TrimPrefix(base, "http") + path }

// dialEvents opens the events stream at path with headers and subprotocols.
func dialEvents(ctx context.Context, base, path string, headers map[string]string, protocols ...string) (*websocket.Conn, *http.Response, error) {
	h := http.Header{}
	for k, v := range headers {
		h.Set(k, v)
	}
	if len(protocols) == 0 {
		protocols = []string{httpapi.EventsProtocol}
	}
	return websocket.Dial(ctx, wsURL(base, path), &websocket.DialOptions{HTTPHeader: h, Subprotocols: protocols})
}

// dialStatus is the handshake's status: 101 when the stream opened (it is
// closed again), else the refusal's status and body.
func dialStatus(t testing.TB, e *env, path string, headers map[string]string) (int, []byte) {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, resp, err := dialEvents(ctx, e.srv.URL, path, headers)
	if err == nil {
		c.Close(websocket.StatusNormalClosure, "")
		return resp.StatusCode, nil
	}
	if resp == nil {
		t.Fatalf("dialing %s: %v", path, err)
	}
	body, _ := io.ReadAll(resp.Body)
	return resp.StatusCode, body
}

func openStream(t *testing.T, e *env, path string, headers map[string]string, protocols ...string) *websocket.Conn {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := dialEvents(ctx, e.srv.URL, path, headers, protocols...)
	if err != nil {
		t.Fatalf("opening %s: %v", path, err)
	}
	c.SetReadLimit(1 << 20)
	t.Cleanup(func() { c.CloseNow() })
	return c
}

func readEvent(t *testing.T, c *websocket.Conn) events.Event {
	t.Helper()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	var e events.Event
	if err := wsjson.Read(ctx, c, &e); err != nil {
		t.Fatalf("reading an event: %v", err)
	}
	return e
}

func scopeOf(f fixture) events.Scope {
	return events.Scope{OrganizationID: f.org, ProjectID: f.project, EnvironmentID: f.staging, ServiceID: f.service, DeploymentID: f.deployment}
}

// publishAfterSubscribed publishes until the stream's subscription exists:
// the handshake completes before the handler subscribes. The marker event
// is of another organization, so no stream under test shows it.
func publish(t *testing.T, e *env, evs ...events.Event) {
	t.Helper()
	for _, ev := range evs {
		if err := e.api.Events().Publish(context.Background(), ev); err != nil {
			t.Fatal(err)
		}
	}
}

// settle gives freshly opened streams time to subscribe.
func settle() { time.Sleep(100 * time.Millisecond) }

// TestEventsStream: over a real WebSocket, each caller sees the events of
// the scopes it may view and never another organization's; the query
// narrows the stream; a browser's subprotocol credential works; refusals
// come before the upgrade in the API's error shape.
func TestEventsStream(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "events")
		stranger := tm.strangerToken(t)
		viewer := openStream(t, tm.e, "/api/v1/events", bearer(tm.tokens[rbac.Viewer]))
		other := openStream(t, tm.e, "/api/v1/events", bearer(stranger))
		narrowed := openStream(t, tm.e, "/api/v1/events?deployment="+f.deployment+"&type=log.stdout", bearer(tm.tokens[rbac.Developer]))
		browser := openStream(t, tm.e, "/api/v1/events", nil, httpapi.EventsProtocol, "bearer."+tm.tokens[rbac.Owner])
		if browser.Subprotocol() != httpapi.EventsProtocol {
			t.Fatalf("selected subprotocol %q, want %s", browser.Subprotocol(), httpapi.EventsProtocol)
		}
		settle()

		mine := scopeOf(f)
		elsewhere := events.Scope{OrganizationID: tm.e.orgID + "x", ProjectID: "p", EnvironmentID: "e", DeploymentID: "d"}
		sibling := mine
		sibling.DeploymentID = f.service // another deployment id in the same scope
		publish(t, tm.e,
			events.Event{Type: events.DeploymentStarted, Scope: elsewhere},
			events.Event{Type: events.LogStdout, Scope: sibling, Line: "other deployment"},
			events.Event{Type: events.DeploymentStarted, Scope: mine},
			events.Event{Type: events.LogStdout, Scope: mine, Line: "listening on :8080"},
		)
		if got := readEvent(t, viewer); got.Type != events.LogStdout || got.Line != "other deployment" {
			t.Fatalf("viewer's first event: %+v (another organization's event must not show)", got)
		}
		if got := readEvent(t, viewer); got.Type != events.DeploymentStarted || got.Scope != mine || got.Seq == 0 || got.Time.IsZero() {
			t.Fatalf("viewer's second event: %+v", got)
		}
		if got := readEvent(t, narrowed); got.Type != events.LogStdout || got.Line != "listening on :8080" {
			t.Fatalf("narrowed stream's first event: %+v, want only its deployment's log", got)
		}
		if got := readEvent(t, browser); got.Type != events.LogStdout {
			t.Fatalf("browser stream's first event: %+v", got)
		}
		publish(t, tm.e, events.Event{Type: events.DeploymentStarted, Scope: mine},
			events.Event{Type: events.DeploymentCompleted, Scope: events.Scope{OrganizationID: tm.strangerOrg(t), ProjectID: "p", EnvironmentID: "e"}})
		if got := readEvent(t, other); got.Type != events.DeploymentCompleted {
			t.Fatalf("stranger's first event: %+v, want only its own organization's", got)
		}

		for _, c := range []struct {
			name    string
			path    string
			headers map[string]string
			status  int
			code    string
		}{
			{"no credential", "/api/v1/events", nil, http.StatusUnauthorized, "UNAUTHENTICATED"},
			{"bad token", "/api/v1/events", bearer("nope"), http.StatusUnauthorized, "UNAUTHENTICATED"},
			{"bad filter", "/api/v1/events?deployment=42", bearer(tm.tokens[rbac.Viewer]), http.StatusBadRequest, "INVALID_PARAMETER"},
			{"unknown parameter", "/api/v1/events?token=x", bearer(tm.tokens[rbac.Viewer]), http.StatusBadRequest, "INVALID_PARAMETER"},
		} {
			status, body := dialStatus(t, tm.e, c.path, c.headers)
			if status != c.status || errorCode(body) != c.code {
				t.Errorf("%s: %d %s, want %d %s", c.name, status, body, c.status, c.code)
			}
		}
		if status, body := send(t, tm.e, http.MethodGet, "/api/v1/events", bearer(tm.tokens[rbac.Viewer]), nil); status != http.StatusBadRequest || !strings.Contains(string(body), "WebSocket") {
			t.Errorf("plain GET: %d %s, want 400 naming the WebSocket", status, body)
		}
		if strings.Contains(tm.e.logs.String(), tm.tokens[rbac.Owner]) {
			t.Error("the server log contains an access token")
		}
	})
}

// strangerOrg is the organization of the stranger (another tenant).
func (tm *team) strangerOrg(t *testing.T) string {
	t.Helper()
	status, body := send(t, tm.e, http.MethodGet, "/api/v1/organizations", bearer(tm.strangerToken(t)), nil)
	if status != http.StatusOK {
		t.Fatalf("stranger's organizations: %d %s", status, body)
	}
	_, rest, _ := strings.Cut(string(body), `"id":"`)
	id, _, _ := strings.Cut(rest, `"`)
	return id
}

// TestEventsSlowClientLags: a client that stops reading never holds up
// publishing; when it reads again it gets what was queued, then one
// stream.lagged (events after the gap are dropped until it is read: the
// client re-reads its state anyway), then new events.
func TestEventsSlowClientLags(t *testing.T) {
	hub := events.NewHub(events.Options{Buffer: 4})
	defer hub.Close()
	tm := newTeam(t, backends[0].dsn(t), func(c *httpapi.Config) { c.Events = hub })
	f := tm.newFixture(t, "lag")
	c := openStream(t, tm.e, "/api/v1/events", bearer(tm.tokens[rbac.Viewer]))
	settle()
	line := strings.Repeat("x", events.MaxLine)
	start := time.Now()
	for range 4000 { // ~16 MiB: more than the socket buffers hold
		publish(t, tm.e, events.Event{Type: events.LogStdout, Scope: scopeOf(f), Line: line})
	}
	if d := time.Since(start); d > 5*time.Second {
		t.Fatalf("publishing while a client does not read took %s", d)
	}
	n := 0
	for {
		e := readEvent(t, c)
		if e.Type == events.StreamLagged {
			if e.Missed <= 0 {
				t.Fatalf("stream.lagged without a count: %+v", e)
			}
			t.Logf("read %d events, then stream.lagged missing %d", n, e.Missed)
			break
		}
		n++
		if n > 4000 {
			t.Fatal("the slow client read every event and never got stream.lagged")
		}
	}
	// Events published once the backlog drained flow again; one published
	// while the stream still lagged is dropped and announced by another
	// stream.lagged, so it is published again then.
	for range 100 {
		publish(t, tm.e, events.Event{Type: events.DeploymentStarted, Scope: scopeOf(f)})
		for {
			e := readEvent(t, c)
			if e.Type == events.DeploymentStarted {
				return
			}
			if e.Type == events.StreamLagged {
				break
			}
		}
	}
	t.Fatal("no event arrived after the lag")
}

// TestEventsStreamEndsWithAccess: once the caller signs out, the stream is
// closed with 1008 within a re-check.
func TestEventsStreamEndsWithAccess(t *testing.T) {
	tm := newTeam(t, backends[0].dsn(t), func(c *httpapi.Config) { c.EventsRecheck = 50 * time.Millisecond })
	c := openStream(t, tm.e, "/api/v1/events", bearer(tm.tokens[rbac.Viewer]))
	if status, body := send(t, tm.e, http.MethodPost, "/api/v1/auth/logout", bearer(tm.tokens[rbac.Viewer]), nil); status != http.StatusNoContent {
		t.Fatalf("logout: %d %s", status, body)
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	_, _, err := c.Read(ctx)
	if s := websocket.CloseStatus(err); s != websocket.StatusPolicyViolation {
		t.Fatalf("after logout the stream ended with %v (status %d), want 1008", err, s)
	}
}

// TestEventsStreamOutlivesRequestTimeouts: the server's read and write
// timeouts bound requests, not an upgraded stream; and shutting down
// closes the stream with 1001.
func TestEventsStreamOutlivesRequestTimeouts(t *testing.T) {
	tm := newTeam(t, backends[0].dsn(t), func(c *httpapi.Config) { c.EventsPing = 100 * time.Millisecond })
	f := tm.newFixture(t, "long")
	srv := httptest.NewUnstartedServer(tm.e.api)
	srv.Config.ReadTimeout, srv.Config.WriteTimeout = 300*time.Millisecond, 300*time.Millisecond
	srv.Config.RegisterOnShutdown(tm.e.api.CloseStreams)
	srv.Start()
	defer srv.Close()
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	c, _, err := dialEvents(ctx, srv.URL, "/api/v1/events", bearer(tm.tokens[rbac.Viewer]))
	must(t, err)
	defer c.CloseNow()
	time.Sleep(800 * time.Millisecond)
	publish(t, tm.e, events.Event{Type: events.DeploymentStarted, Scope: scopeOf(f)})
	if e := readEvent(t, c); e.Type != events.DeploymentStarted {
		t.Fatalf("after the request timeouts: %+v", e)
	}
	go srv.Config.Shutdown(context.Background())
	_, _, err = c.Read(ctx)
	if s := websocket.CloseStatus(err); s != websocket.StatusGoingAway {
		t.Fatalf("at shutdown the stream ended with %v, want 1001", err)
	}
	if errors.Is(err, context.DeadlineExceeded) {
		t.Fatal("the stream stayed open through shutdown")
	}
}

// TestEventsStreamFollowsAccess: an API key's stream follows its custom
// role while it stays open: once the role is deleted (it then grants
// nothing) the organization's events stop showing within a re-check, and
// show again once a role of that name grants service:view again.
func TestEventsStreamFollowsAccess(t *testing.T) {
	tm := newTeam(t, backends[0].dsn(t), func(c *httpapi.Config) { c.EventsRecheck = 50 * time.Millisecond })
	f := tm.newFixture(t, "follow")
	owner := bearer(tm.tokens[rbac.Owner])
	roles := "/api/v1/organizations/" + f.org + "/roles"
	watcher := map[string]any{"name": "watcher", "permissions": []string{"service:view"}}
	if status, body := send(t, tm.e, http.MethodPost, roles, owner, watcher); status != http.StatusCreated {
		t.Fatalf("creating the role: %d %s", status, body)
	}
	status, body := send(t, tm.e, http.MethodPost, "/api/v1/organizations/"+f.org+"/api-keys", owner, map[string]string{"name": "watch", "role": "watcher"})
	if status != http.StatusCreated {
		t.Fatalf("creating the key: %d %s", status, body)
	}
	var key httpapi.CreatedAPIKey
	must(t, json.Unmarshal(body, &key))
	c := openStream(t, tm.e, "/api/v1/events", map[string]string{"X-API-Key": key.Key})
	settle()
	publish(t, tm.e, events.Event{Type: events.DeploymentStarted, Scope: scopeOf(f)})
	if e := readEvent(t, c); e.Type != events.DeploymentStarted {
		t.Fatalf("with the role: %+v", e)
	}
	if status, body := send(t, tm.e, http.MethodDelete, roles+"/watcher", owner, nil); status != http.StatusNoContent {
		t.Fatalf("deleting the role: %d %s", status, body)
	}
	time.Sleep(300 * time.Millisecond) // several re-checks
	publish(t, tm.e, events.Event{Type: events.LogStdout, Scope: scopeOf(f), Line: "hidden"})
	if status, body := send(t, tm.e, http.MethodPost, roles, owner, watcher); status != http.StatusCreated {
		t.Fatalf("re-creating the role: %d %s", status, body)
	}
	time.Sleep(300 * time.Millisecond)
	publish(t, tm.e, events.Event{Type: events.LogStdout, Scope: scopeOf(f), Line: "shown"})
	if e := readEvent(t, c); e.Line != "shown" {
		t.Fatalf("after the role went and came back the stream showed %+v first, want the event published while it granted view", e)
	}
}

// TestEventsStreamsPerCallerAreBounded: one caller cannot hold more than
// MaxStreamsPerCaller streams; the next is refused with 429 before the
// upgrade, and closing one frees its place.
func TestEventsStreamsPerCallerAreBounded(t *testing.T) {
	tm := newTeam(t, backends[0].dsn(t))
	var open []*websocket.Conn
	for range httpapi.MaxStreamsPerCaller {
		open = append(open, openStream(t, tm.e, "/api/v1/events", bearer(tm.tokens[rbac.Viewer])))
	}
	settle()
	if status, body := dialStatus(t, tm.e, "/api/v1/events", bearer(tm.tokens[rbac.Viewer])); status != http.StatusTooManyRequests || errorCode(body) != "RATE_LIMITED" {
		t.Fatalf("stream over the bound: %d %s, want 429 RATE_LIMITED", status, body)
	}
	if status, _ := dialStatus(t, tm.e, "/api/v1/events", bearer(tm.tokens[rbac.Developer])); status != http.StatusSwitchingProtocols {
		t.Fatalf("another caller's stream: %d, want 101", status)
	}
	open[0].Close(websocket.StatusNormalClosure, "")
	for i := 0; ; i++ {
		status, _ := dialStatus(t, tm.e, "/api/v1/events", bearer(tm.tokens[rbac.Viewer]))
		if status == http.StatusSwitchingProtocols {
			break
		}
		if i > 100 {
			t.Fatalf("after closing a stream: %d, want 101", status)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

package apiclient_test

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/password"
	"github.com/usecapsule/capsule/internal/identity/token"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// serve starts the real API over a temporary SQLite store with one user
// owning one organization, and returns it with the user's organization.
func serve(t *testing.T) (*httptest.Server, *httpapi.API, string) {
	t.Helper()
	ctx := context.Background()
	st, err := sqlstore.Open(ctx, filepath.Join(t.TempDir(), "capsule.db"), sqlstore.Options{})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { st.Close() })
	h, err := password.Hash("correct-horse-battery")
	must(t, err)
	u := &capsule.User{Email: "dev@example.com", Name: "Dev", PasswordHash: h}
	must(t, st.CreateUser(ctx, u))
	o := &capsule.Organization{Name: "Acme", Slug: "acme"}
	must(t, st.CreateOrganization(ctx, o, u.ID))
	api, err := httpapi.New(httpapi.Config{Store: st, Tokens: token.NewIssuer([]byte(strings.Repeat("k", 32)), token.DefaultTTL),
		Access: httpapi.AccessConfig{Identity: identitystore.New(st)}})
	must(t, err)
	srv := httptest.NewServer(api)
	t.Cleanup(srv.Close)
	return srv, api, o.ID
}

// TestEventsStream: the client opens the stream with its token and a
// filter, reads its events, and reports a refusal as the API's error.
func TestEventsStream(t *testing.T) {
	srv, api, org := serve(t)
	ctx, cancel := context.WithTimeout(context.Background(), 20*time.Second)
	defer cancel()
	c, err := apiclient.New(srv.URL, "")
	must(t, err)
	if _, err := c.Events(ctx, apiclient.EventFilter{}); !isCode(err, "UNAUTHENTICATED", http.StatusUnauthorized) {
		t.Fatalf("stream without a token: %v, want 401 UNAUTHENTICATED", err)
	}
	tok, err := c.Login(ctx, "dev@example.com", "correct-horse-battery")
	must(t, err)
	c.Token = tok.AccessToken
	if _, err := c.Events(ctx, apiclient.EventFilter{Deployments: []string{"not-an-id"}}); !isCode(err, "INVALID_PARAMETER", http.StatusBadRequest) {
		t.Fatalf("stream with a bad filter: %v, want 400 INVALID_PARAMETER", err)
	}
	const dep = "01a25216-4448-762d-9f44-75e5c76e4bd9"
	s, err := c.Events(ctx, apiclient.EventFilter{Deployments: []string{dep}, Types: []events.Type{events.DeploymentProgress, events.DeploymentCompleted}})
	must(t, err)
	defer s.Close()
	time.Sleep(100 * time.Millisecond) // the server subscribes after the handshake
	scope := events.Scope{OrganizationID: org, ProjectID: "p", EnvironmentID: "e", ServiceID: "s", DeploymentID: dep}
	other := scope
	other.DeploymentID = "01a25216-4448-762d-9f44-75e5c76e4bd0"
	for _, e := range []events.Event{
		{Type: events.DeploymentStarted, Scope: scope},
		events.Progress(other, 10, "another deployment"),
		events.Progress(scope, 50, "2 of 4 pods ready"),
		{Type: events.DeploymentCompleted, Scope: scope, Message: "running"},
	} {
		must(t, api.Events().Publish(ctx, e))
	}
	got, err := s.Next(ctx)
	must(t, err)
	if got.Type != events.DeploymentProgress || *got.Percent != 50 || got.Message != "2 of 4 pods ready" {
		t.Fatalf("first event: %+v", got)
	}
	if got, err = s.Next(ctx); err != nil || got.Type != events.DeploymentCompleted {
		t.Fatalf("second event: %+v, %v", got, err)
	}
	api.CloseStreams()
	if _, err := s.Next(ctx); !errors.Is(err, apiclient.ErrStreamEnded) || !strings.Contains(err.Error(), "1001") {
		t.Fatalf("after the server closed its streams: %v, want ErrStreamEnded (1001)", err)
	}
}

func isCode(err error, code string, status int) bool {
	var e *apiclient.Error
	return errors.As(err, &e) && e.Code == code && e.Status == status
}

func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

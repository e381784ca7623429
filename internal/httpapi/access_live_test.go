package httpapi_test

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"github.com/usecapsule/capsule/internal/identitystore"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/token"
	"github.com/usecapsule/capsule/internal/pgtest"
	"github.com/usecapsule/capsule/internal/rbac"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// refusedWithin polls with an access token until it gets 401, and fails
// when that takes longer than d.
func refusedWithin(t *testing.T, srv *httptest.Server, tok string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for {
		req, _ := http.NewRequest("GET", srv.URL+"/api/v1/projects", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := srv.Client().Do(req)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode == http.StatusUnauthorized {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("the access token still gets %d %v after the event", resp.StatusCode, d)
		}
		time.Sleep(20 * time.Millisecond)
	}
}

func sessionIDOf(t *testing.T, st *sqlstore.Store, refresh string) string {
	t.Helper()
	sum := sha256.Sum256([]byte(refresh))
	s, err := st.FindSessionByTokenHash(context.Background(), hex.EncodeToString(sum[:]))
	must(t, err)
	return s.ID
}

// TestAccessTokenBoundToSession: every event that ends a session refuses
// the access tokens minted from it within a second, not when they expire.
func TestAccessTokenBoundToSession(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		e, ctx := tm.e, context.Background()
		viewer := rbac.Viewer + "-member@example.com"
		fresh := func() httpapi.TokenResponse {
			tr := e.login(t, viewer, adminPassword)
			if status, body := send(t, e, "GET", "/api/v1/projects", bearer(tr.AccessToken), nil); status != http.StatusOK {
				t.Fatalf("fresh token: %d %s", status, body)
			}
			return tr
		}
		events := []struct {
			name string
			end  func(tr httpapi.TokenResponse)
		}{
			{"logout", func(tr httpapi.TokenResponse) {
				if status, body := send(t, e, "POST", "/api/v1/auth/logout", bearer(tr.AccessToken), nil); status != http.StatusNoContent {
					t.Fatalf("logout: %d %s", status, body)
				}
			}},
			{"refresh token replayed", func(tr httpapi.TokenResponse) {
				for i, want := range []int{http.StatusOK, http.StatusUnauthorized} {
					if status, body := send(t, e, "POST", "/api/v1/auth/refresh", nil, map[string]string{"refresh_token": tr.RefreshToken}); status != want {
						t.Fatalf("refresh %d: %d %s", i+1, status, body)
					}
				}
			}},
			{"session revoked", func(tr httpapi.TokenResponse) {
				// Straight in the database, as another replica or an operator would.
				must(t, e.st.RevokeSession(ctx, sessionIDOf(t, e.st, tr.RefreshToken)))
			}},
			{"user disabled", func(httpapi.TokenResponse) {
				must(t, e.st.SetUserDisabled(ctx, tm.users[rbac.Viewer], true, time.Now()))
				t.Cleanup(func() { _ = e.st.SetUserDisabled(ctx, tm.users[rbac.Viewer], false, time.Now()) })
			}},
			{"member removed", func(httpapi.TokenResponse) {
				if status, body := send(t, e, "DELETE", "/api/v1/organizations/"+e.orgID+"/members/"+tm.users[rbac.Viewer], bearer(tm.tokens[rbac.Owner]), nil); status != http.StatusNoContent {
					t.Fatalf("removing the member: %d %s", status, body)
				}
			}},
		}
		for _, ev := range events {
			tr := fresh()
			ev.end(tr)
			refusedWithin(t, e.srv, tr.AccessToken, time.Second)
			if ev.name == "user disabled" {
				must(t, e.st.SetUserDisabled(ctx, tm.users[rbac.Viewer], false, time.Now()))
			}
		}
		// Deleted: the last event, since the user is gone afterwards.
		tr := fresh()
		must(t, e.st.DeleteUser(ctx, tm.users[rbac.Viewer]))
		refusedWithin(t, e.srv, tr.AccessToken, time.Second)
		// A disabled user cannot sign in again, even with the right password.
		must(t, e.st.SetUserDisabled(ctx, tm.users[rbac.Developer], true, time.Now()))
		status, body := send(t, e, "POST", "/api/v1/auth/login", nil, map[string]string{"email": rbac.Developer + "-member@example.com", "password": adminPassword})
		if status != http.StatusForbidden || errorCode(body) != "USER_DISABLED" {
			t.Fatalf("disabled user's sign-in: %d %s", status, body)
		}
	})
}

// TestRevocationReachesOtherReplica: two API servers on one PostgreSQL
// database; a logout on one is refused by the other within a second.
func TestRevocationReachesOtherReplica(t *testing.T) {
	dsn := pgtest.Start(t)
	a := newEnv(t, dsn)
	st, err := sqlstore.Open(context.Background(), dsn, sqlstore.Options{})
	must(t, err)
	t.Cleanup(func() { st.Close() })
	apiB, err := httpapi.New(httpapi.Config{Store: st, Tokens: token.NewIssuer([]byte(strings.Repeat("k", 32)), token.DefaultTTL),
		Logger: slog.New(slog.NewJSONHandler(a.logs, nil)), Access: httpapi.AccessConfig{Identity: identitystore.New(st)}})
	must(t, err)
	b := httptest.NewServer(apiB)
	t.Cleanup(b.Close)
	tok := a.login(t, adminEmail, adminPassword).AccessToken
	for range 5 { // B has answered (and cached) that the session is live
		req, _ := http.NewRequest("GET", b.URL+"/api/v1/projects", nil)
		req.Header.Set("Authorization", "Bearer "+tok)
		resp, err := b.Client().Do(req)
		must(t, err)
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("replica B before logout: %d", resp.StatusCode)
		}
	}
	if status, body := send(t, a, "POST", "/api/v1/auth/logout", bearer(tok), nil); status != http.StatusNoContent {
		t.Fatalf("logout on A: %d %s", status, body)
	}
	refusedWithin(t, b, tok, time.Second)
}

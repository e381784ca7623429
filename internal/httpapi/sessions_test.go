package httpapi_test

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestSignOutOneSession: a user signed in twice sees both sessions, marks
// the one asking as current, and can sign the other out: its access token
// is refused within the liveness bound and its refresh token at once,
// while the asking session keeps working. Another user's session is a 404,
// as if it did not exist.
func TestSignOutOneSession(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		e := tm.e
		viewer := rbac.Viewer + "-member@example.com"
		laptop := e.login(t, viewer, adminPassword)
		phone := e.login(t, viewer, adminPassword)

		status, body := send(t, e, "GET", "/api/v1/auth/sessions", bearer(laptop.AccessToken), nil)
		if status != http.StatusOK {
			t.Fatalf("list: %d %s", status, body)
		}
		var list httpapi.SignInList
		must(t, json.Unmarshal(body, &list))
		ids := map[string]bool{}
		for _, s := range list.Items {
			ids[s.ID] = s.Current
			if s.SignedInAt.IsZero() || !s.ExpiresAt.After(time.Now()) {
				t.Errorf("session %+v: want a sign-in time and a future expiry", s)
			}
		}
		laptopID, phoneID := tokenSID(t, laptop.AccessToken), tokenSID(t, phone.AccessToken)
		if cur, ok := ids[laptopID]; !ok || !cur {
			t.Errorf("the asking session %s is not listed as current: %s", laptopID, body)
		}
		if cur, ok := ids[phoneID]; !ok || cur {
			t.Errorf("the other session %s is not listed as not current: %s", phoneID, body)
		}
		if containsAny(string(body), laptop.RefreshToken, phone.RefreshToken) {
			t.Fatalf("the list shows a refresh token: %s", body)
		}

		// Someone else cannot sign the phone out, nor learn it exists.
		if status, body := send(t, e, "DELETE", "/api/v1/auth/sessions/"+phoneID, bearer(tm.tokens[rbac.Owner]), nil); status != http.StatusNotFound {
			t.Fatalf("another user revoking the session: %d %s, want 404", status, body)
		}
		if status, body := send(t, e, "DELETE", "/api/v1/auth/sessions/"+phoneID, bearer(laptop.AccessToken), nil); status != http.StatusNoContent {
			t.Fatalf("revoke: %d %s", status, body)
		}
		refusedWithin(t, e.srv, phone.AccessToken, 2*time.Second)
		if status, body := send(t, e, "POST", "/api/v1/auth/refresh", nil, map[string]string{"refresh_token": phone.RefreshToken}); status != http.StatusUnauthorized {
			t.Errorf("refresh of the signed-out session: %d %s, want 401", status, body)
		}
		if status, body := send(t, e, "GET", "/api/v1/projects", bearer(laptop.AccessToken), nil); status != http.StatusOK {
			t.Errorf("the asking session after signing the other out: %d %s", status, body)
		}
		status, body = send(t, e, "GET", "/api/v1/auth/sessions", bearer(laptop.AccessToken), nil)
		must(t, json.Unmarshal(body, &list))
		for _, s := range list.Items {
			if s.ID == phoneID {
				t.Errorf("the signed-out session is still listed: %d %s", status, body)
			}
		}
		// The audit log names who signed which session out (a user's own
		// sessions belong to no organization, so it is read from the table).
		var n int
		must(t, e.st.DB().QueryRow(`SELECT COUNT(*) FROM audit_log WHERE action = 'auth.sessions.delete' AND actor_id = '`+tm.users[rbac.Viewer]+`' AND outcome = 'success'`).Scan(&n))
		if n != 1 {
			t.Errorf("audit entries of the sign-out by the viewer: %d, want 1", n)
		}
	})
}

func containsAny(s string, subs ...string) bool {
	for _, sub := range subs {
		if sub != "" && strings.Contains(s, sub) {
			return true
		}
	}
	return false
}

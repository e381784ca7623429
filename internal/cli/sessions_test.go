package cli

import (
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/httpapi"
)

// TestSessionsAgainstRealServer: the owner signed in from the CLI and from
// a second client sees both sessions, the CLI's marked current, and signs
// the other out, whose token the server then refuses.
func TestSessionsAgainstRealServer(t *testing.T) {
	url := startServerIn(t, t.TempDir())
	t.Setenv("CAPSULE_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("CAPSULE_API_KEY", "")
	t.Setenv("CAPSULE_PASSWORD", testPassword)
	mustRun(t, "login", "--server", url)
	status, other := signIn(t, url, "admin@localhost", testPassword)
	if status != http.StatusOK {
		t.Fatalf("second sign-in: %d", status)
	}

	var l httpapi.SignInList
	if err := json.Unmarshal([]byte(mustRun(t, "sessions", "list", "-o", "json")), &l); err != nil {
		t.Fatal(err)
	}
	var current, second string
	for _, s := range l.Items {
		if s.Current {
			current = s.ID
		} else {
			second = s.ID
		}
	}
	if len(l.Items) != 2 || current == "" || second == "" {
		t.Fatalf("sessions: %+v, want the CLI's (current) and one other", l.Items)
	}
	if table := mustRun(t, "sessions", "list"); !strings.Contains(table, current+" *") || !strings.Contains(table, second) {
		t.Errorf("table does not mark the current session:\n%s", table)
	}
	if out := mustRun(t, "sessions", "revoke", second); !strings.Contains(out, "signed out") {
		t.Errorf("revoke printed %q", out)
	}
	deadline := time.Now().Add(2 * time.Second)
	for getStatus(t, url, "/api/v1/auth/me", other.AccessToken) != http.StatusUnauthorized {
		if time.Now().After(deadline) {
			t.Fatal("the signed-out session's access token is still accepted after 2 s")
		}
		time.Sleep(20 * time.Millisecond)
	}
	if err := json.Unmarshal([]byte(mustRun(t, "sessions", "list", "-o", "json")), &l); err != nil || len(l.Items) != 1 || l.Items[0].ID != current {
		t.Errorf("after the revoke the CLI (still signed in) lists %+v (%v), want only its own session", l.Items, err)
	}
}

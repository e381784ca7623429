package cli

import (
	"bytes"
	"encoding/json"
	"net/http"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/httpapi"
)

// signIn posts a login to the server and returns the status and tokens.
func signIn(t *testing.T, url, email, pw string) (int, httpapi.TokenResponse) {
	t.Helper()
	b, _ := json.Marshal(map[string]string{"email": email, "password": pw})
	resp, err := http.Post(url+"/api/v1/auth/login", "application/json", bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr httpapi.TokenResponse
	_ = json.NewDecoder(resp.Body).Decode(&tr)
	return resp.StatusCode, tr
}

func getStatus(t *testing.T, url, path, tok string) int {
	t.Helper()
	req, _ := http.NewRequest("GET", url+path, nil)
	req.Header.Set("Authorization", "Bearer "+tok)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

func userJSON(t *testing.T, args ...string) httpapi.AdministeredUser {
	t.Helper()
	var u httpapi.AdministeredUser
	if err := json.Unmarshal([]byte(mustRun(t, append(args, "-o", "json")...)), &u); err != nil {
		t.Fatal(err)
	}
	return u
}

// TestUsersAgainstRealServer drives user administration through the CLI
// against the real server, then recovers the owner's lost password offline.
func TestUsersAgainstRealServer(t *testing.T) {
	dataDir := t.TempDir()
	url := startServerIn(t, dataDir)
	t.Setenv("CAPSULE_CONFIG", filepath.Join(t.TempDir(), "config.yaml"))
	t.Setenv("CAPSULE_API_KEY", "")
	t.Setenv("CAPSULE_PASSWORD", testPassword)
	mustRun(t, "login", "--server", url)

	alice := userJSON(t, "users", "create", "alice@example.com", "--name", "Alice", "--role", "developer")
	if alice.GeneratedPassword == "" || alice.Role != "developer" {
		t.Fatalf("created user = %+v, want a generated password and role developer", alice)
	}
	status, tr := signIn(t, url, "alice@example.com", alice.GeneratedPassword)
	if status != http.StatusOK {
		t.Fatalf("alice's first sign-in: %d", status)
	}
	if out := mustRun(t, "users", "list"); !strings.Contains(out, "alice@example.com") || !strings.Contains(out, "active") {
		t.Fatalf("users list:\n%s", out)
	}

	// Disabled: her token is refused and she cannot sign in; enabled again: she can.
	if u := userJSON(t, "users", "disable", "alice@example.com"); u.DisabledAt == nil {
		t.Fatalf("disable answered %+v", u)
	}
	if got := getStatus(t, url, "/api/v1/auth/me", tr.AccessToken); got != http.StatusUnauthorized {
		t.Fatalf("disabled user's access token: %d, want 401", got)
	}
	if status, _ := signIn(t, url, "alice@example.com", alice.GeneratedPassword); status != http.StatusForbidden {
		t.Fatalf("disabled user's sign-in: %d, want 403", status)
	}
	if out := mustRun(t, "users", "list"); !strings.Contains(out, "disabled") {
		t.Fatalf("users list after disable:\n%s", out)
	}
	mustRun(t, "users", "enable", "alice@example.com")
	if status, _ := signIn(t, url, "alice@example.com", alice.GeneratedPassword); status != http.StatusOK {
		t.Fatalf("re-enabled user's sign-in: %d", status)
	}

	// A reset replaces the password; the old one stops working.
	reset := userJSON(t, "users", "reset-password", "alice@example.com")
	if reset.GeneratedPassword == "" || reset.GeneratedPassword == alice.GeneratedPassword {
		t.Fatalf("reset answered %+v", reset)
	}
	if status, _ := signIn(t, url, "alice@example.com", alice.GeneratedPassword); status != http.StatusUnauthorized {
		t.Fatalf("old password after reset: %d", status)
	}
	if status, _ := signIn(t, url, "alice@example.com", reset.GeneratedPassword); status != http.StatusOK {
		t.Fatalf("new password after reset: %d", status)
	}
	// An administrator cannot disable themselves by accident.
	if r := run(t, "", "users", "disable", "admin@localhost"); r.code != ExitError || !strings.Contains(r.err, "SELF_ADMINISTRATION") {
		t.Fatalf("disabling yourself: exit %d %s", r.code, r.err)
	}

	mustRun(t, "users", "delete", "alice@example.com")
	if out := mustRun(t, "users", "list"); strings.Contains(out, "alice@example.com") {
		t.Fatalf("deleted user still listed:\n%s", out)
	}
	// Every change is in the audit log.
	out := mustRun(t, "audit", "logs", "--action", "organizations.users.*", "-o", "json")
	for _, action := range []string{"organizations.users.create", "organizations.users.disable", "organizations.users.enable", "organizations.users.reset-password", "organizations.users.delete"} {
		if !strings.Contains(out, `"`+action+`"`) {
			t.Errorf("audit log lacks %s:\n%s", action, out)
		}
	}

	// The owner's password is lost: reset it offline on the data directory.
	owner := userJSON(t, "users", "reset-password", "admin@localhost", "--data-dir", dataDir)
	if owner.GeneratedPassword == "" {
		t.Fatalf("offline reset answered %+v", owner)
	}
	if status, _ := signIn(t, url, "admin@localhost", testPassword); status != http.StatusUnauthorized {
		t.Fatalf("old owner password after offline reset: %d", status)
	}
	if status, _ := signIn(t, url, "admin@localhost", owner.GeneratedPassword); status != http.StatusOK {
		t.Fatalf("new owner password after offline reset: %d", status)
	}
	// Bad input names what is wrong.
	if r := run(t, "short\n", "users", "reset-password", "admin@localhost", "--data-dir", dataDir, "--password-stdin"); r.code != ExitError || !strings.Contains(r.err, "password") {
		t.Fatalf("weak password offline: exit %d %s", r.code, r.err)
	}
}

package httpapi_test

import (
	"errors"
	"net/http"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestUserAdministration: administrators act only on users whose every
// organization they manage, never on owners unless they own too; deleting
// an organization's only owner is refused while others depend on them.
func TestUserAdministration(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "acme")
		base := "/api/v1/organizations/" + f.org + "/users"
		admin, owner := bearer(tm.tokens[rbac.Admin]), bearer(tm.tokens[rbac.Owner])

		status, body := send(t, tm.e, "POST", base, admin, map[string]string{"email": "bob@example.com", "role": "viewer", "password": "short"})
		if status != http.StatusBadRequest || errorCode(body) != "VALIDATION_FAILED" {
			t.Fatalf("weak chosen password: %d %s", status, body)
		}
		status, body = send(t, tm.e, "POST", base, admin, map[string]string{"email": "bob@example.com", "role": "owner"})
		if status != http.StatusForbidden {
			t.Fatalf("an admin creating an owner: %d %s", status, body)
		}
		status, body = send(t, tm.e, "POST", base, admin, map[string]string{"email": "bob@example.com", "role": "viewer"})
		if status != http.StatusCreated {
			t.Fatalf("create: %d %s", status, body)
		}
		bob := decode[httpapi.AdministeredUser](t, body)
		if bob.GeneratedPassword == "" || bob.Role != "viewer" {
			t.Fatalf("created %+v", bob)
		}
		bobTok := tm.e.login(t, "bob@example.com", bob.GeneratedPassword).AccessToken

		// The owner of acme (the env's admin user) owns other organizations
		// too: an admin of acme may not touch them.
		if status, body := send(t, tm.e, "POST", base+"/"+tm.users[rbac.Owner]+"/disable", admin, nil); status != http.StatusForbidden {
			t.Fatalf("admin disabling an owner: %d %s", status, body)
		}
		// The developer also owns a home organization the admin does not manage.
		if status, body := send(t, tm.e, "POST", base+"/"+tm.users[rbac.Developer]+"/disable", admin, nil); status != http.StatusForbidden {
			t.Fatalf("admin disabling a user of another tenant: %d %s", status, body)
		}
		// Bob belongs to acme only: the admin administers him.
		if status, body := send(t, tm.e, "POST", base+"/"+bob.ID+"/disable", admin, nil); status != http.StatusOK {
			t.Fatalf("disable bob: %d %s", status, body)
		}
		refusedWithin(t, tm.e.srv, bobTok, 0)
		if status, body := send(t, tm.e, "POST", base+"/"+bob.ID+"/reset-password", admin, map[string]string{"password": "a much better passphrase"}); status != http.StatusOK {
			t.Fatalf("reset bob: %d %s", status, body)
		}
		if status, body := send(t, tm.e, "POST", base+"/"+bob.ID+"/enable", admin, nil); status != http.StatusOK {
			t.Fatalf("enable bob: %d %s", status, body)
		}
		tm.e.login(t, "bob@example.com", "a much better passphrase")
		if status, body := send(t, tm.e, "DELETE", base+"/"+bob.ID, admin, nil); status != http.StatusNoContent {
			t.Fatalf("delete bob: %d %s", status, body)
		}
		// The only owner of an organization with other members stays.
		if err := tm.e.st.DeleteUser(t.Context(), tm.users[rbac.Owner]); codeOf(err) != "LAST_OWNER" {
			t.Fatalf("deleting the only owner of an organization with members: %v", err)
		}
		if status, body := send(t, tm.e, "DELETE", base+"/"+tm.users[rbac.Owner], owner, nil); status != http.StatusConflict || errorCode(body) != "SELF_ADMINISTRATION" {
			t.Fatalf("owner deleting themselves: %d %s", status, body)
		}
	})
}

func codeOf(err error) string {
	var ce *capsule.Error
	if errors.As(err, &ce) {
		return ce.Code
	}
	return ""
}

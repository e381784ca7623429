package httpapi_test

import (
	"net/http"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/rbac"
)

func TestMembersAndInvitations(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "people")
		owner, admin := bearer(tm.tokens[rbac.Owner]), bearer(tm.tokens[rbac.Admin])
		base := "/api/v1/organizations/" + f.org
		if status, body := send(t, tm.e, "GET", "/api/v1/users/me", bearer(tm.tokens[rbac.Viewer]), nil); status != http.StatusOK {
			t.Fatalf("users/me: %d %s", status, body)
		}
		// An admin cannot touch the owner, and the last owner stays.
		if status, body := send(t, tm.e, "PUT", base+"/members/"+tm.users[rbac.Owner], admin, map[string]string{"role": "viewer"}); status != http.StatusForbidden {
			t.Fatalf("admin demoting the owner: %d %s", status, body)
		}
		if status, body := send(t, tm.e, "DELETE", base+"/members/"+tm.users[rbac.Owner], owner, nil); status != http.StatusConflict {
			t.Fatalf("removing the last owner: %d %s", status, body)
		}
		// Admins may promote a viewer to developer, not to owner.
		if status, body := send(t, tm.e, "PUT", base+"/members/"+tm.users[rbac.Viewer], admin, map[string]string{"role": "developer"}); status != http.StatusOK {
			t.Fatalf("promote: %d %s", status, body)
		}
		if status, _ := send(t, tm.e, "PUT", base+"/members/"+tm.users[rbac.Viewer], admin, map[string]string{"role": "owner"}); status != http.StatusForbidden {
			t.Fatalf("admin making an owner: %d", status)
		}
		// Invite someone new; they sign up, then accept.
		status, body := send(t, tm.e, "POST", base+"/invitations", admin, map[string]string{"email": "Newcomer@Example.com", "role": "developer"})
		if status != http.StatusCreated {
			t.Fatalf("invite: %d %s", status, body)
		}
		inv := decode[httpapi.CreatedInvitation](t, body)
		uid, _ := createUser(t, tm.e.api.Store(), "newcomer@example.com", "newcomer-home")
		tok := tm.e.login(t, "newcomer@example.com", adminPassword).AccessToken
		// Someone else cannot use it.
		if status, _ := send(t, tm.e, "POST", "/api/v1/invitations/accept", bearer(tm.tokens[rbac.Developer]), map[string]string{"token": inv.Token}); status != http.StatusNotFound {
			t.Fatalf("accepting another's invitation: %d", status)
		}
		status, body = send(t, tm.e, "POST", "/api/v1/invitations/accept", bearer(tok), map[string]string{"token": inv.Token})
		if m := decode[capsule.Member](t, body); status != http.StatusOK || m.UserID != uid || m.Role != rbac.Developer {
			t.Fatalf("accept: %d %s", status, body)
		}
		if status, _ := send(t, tm.e, "POST", "/api/v1/invitations/accept", bearer(tok), map[string]string{"token": inv.Token}); status != http.StatusNotFound {
			t.Fatalf("accepting twice: %d", status)
		}
		if status, body := send(t, tm.e, "GET", "/api/v1/projects/"+f.project, bearer(tok), nil); status != http.StatusOK {
			t.Fatalf("new member reading a project: %d %s", status, body)
		}
	})
}

package httpapi

import (
	"crypto/rand"
	"encoding/base64"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity/password"
	"github.com/usecapsule/capsule/internal/rbac"
)

// User administration. Users are global (one account, many memberships),
// but authority is per organization, so the routes live under the
// organization whose org:manage permission they need, and a caller may act
// on a user only when they manage every organization that user belongs to,
// as an owner wherever the user is one (see mayAdminister). So an admin of
// one tenant never disables someone another tenant depends on, and the
// bootstrap owner administers everyone created in the default organization.
// Every write is audited by the access layer like any other route.

// UserCreateRequest is the body of POST /organizations/{id}/users. Without
// a password the server generates one and answers it once.
type UserCreateRequest struct {
	Email    string `json:"email"`
	Name     string `json:"name"`
	Role     string `json:"role,omitempty"` // in the organization; default developer
	Password string `json:"password,omitempty"`
}

// PasswordResetRequest is the body of POST .../reset-password; without a
// password the server generates one and answers it once.
type PasswordResetRequest struct {
	Password string `json:"password,omitempty"`
}

// AdministeredUser is a user as administrators see it, with their role in
// the organization and, right after creation or reset, the generated
// password (shown once, never stored).
type AdministeredUser struct {
	capsule.User
	Role              string `json:"role"`
	GeneratedPassword string `json:"generatedPassword,omitempty"`
}

// AdministeredUserList is a page of AdministeredUser.
type AdministeredUserList struct {
	Items []AdministeredUser `json:"items"`
}

func (ac *access) listUsers(w http.ResponseWriter, r *http.Request) error {
	orgID := r.PathValue("id")
	ms, err := ac.store.ListMembers(r.Context(), orgID, capsule.Page{Limit: 500})
	if err != nil {
		return err
	}
	out := AdministeredUserList{Items: []AdministeredUser{}}
	for _, m := range ms.Items {
		u, err := ac.store.FindUser(r.Context(), m.UserID)
		if err != nil {
			return err
		}
		out.Items = append(out.Items, AdministeredUser{User: *u, Role: m.Role})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

func (ac *access) createUser(w http.ResponseWriter, r *http.Request) error {
	orgID := r.PathValue("id")
	var req UserCreateRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.Role == "" {
		req.Role = rbac.Developer
	}
	if err := ac.grantableRole(r, orgID, req.Role); err != nil {
		return err
	}
	pw, generated, err := ChosenPassword(req.Password)
	if err != nil {
		return err
	}
	hash, err := password.Hash(pw)
	if err != nil {
		return err
	}
	u := &capsule.User{Email: strings.TrimSpace(req.Email), Name: strings.TrimSpace(req.Name), PasswordHash: hash}
	if u.Name == "" {
		u.Name, _, _ = strings.Cut(u.Email, "@")
	}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := ac.store.CreateUser(r.Context(), u); err != nil {
		return err
	}
	m := &capsule.Member{OrganizationID: orgID, UserID: u.ID, Role: req.Role, InvitedBy: CallerFrom(r.Context()).UserID, JoinedAt: ac.now().UTC()}
	if err := ac.store.AddMember(r.Context(), m); err != nil {
		return err
	}
	out := AdministeredUser{User: *u, Role: req.Role}
	if generated {
		out.GeneratedPassword = pw
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/api/v1/organizations/"+orgID+"/users/"+u.ID)
	writeJSON(w, http.StatusCreated, out)
	return nil
}

// userAction runs one administrative action on the path's user after
// mayAdminister allowed it.
func (ac *access) userAction(act func(r *http.Request, u *capsule.User) (*AdministeredUser, error)) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		orgID, userID := r.PathValue("id"), r.PathValue("userId")
		m, err := ac.store.FindMember(r.Context(), orgID, userID)
		if err != nil {
			return err
		}
		if err := ac.mayAdminister(r, m.UserID); err != nil {
			return err
		}
		u, err := ac.store.FindUser(r.Context(), m.UserID)
		if err != nil {
			return err
		}
		out, err := act(r, u)
		ac.live.reset() // the user's tokens are judged afresh here at once
		if err != nil || out == nil {
			if err == nil {
				err = noContent(w)
			}
			return err
		}
		out.Role = m.Role
		w.Header().Set("Cache-Control", "no-store")
		writeJSON(w, http.StatusOK, out)
		return nil
	}
}

func (ac *access) disableUser(r *http.Request, u *capsule.User) (*AdministeredUser, error) {
	if err := ac.store.SetUserDisabled(r.Context(), u.ID, true, ac.now()); err != nil {
		return nil, err
	}
	return ac.reread(r, u.ID)
}

func (ac *access) enableUser(r *http.Request, u *capsule.User) (*AdministeredUser, error) {
	if err := ac.store.SetUserDisabled(r.Context(), u.ID, false, ac.now()); err != nil {
		return nil, err
	}
	return ac.reread(r, u.ID)
}

func (ac *access) deleteUser(r *http.Request, u *capsule.User) (*AdministeredUser, error) {
	return nil, ac.store.DeleteUser(r.Context(), u.ID)
}

// resetPassword sets a new password (given or generated) and revokes the
// user's sessions: whoever held the old one is signed out everywhere.
func (ac *access) resetPassword(r *http.Request, u *capsule.User) (*AdministeredUser, error) {
	var req PasswordResetRequest
	if err := decodeJSON(r, &req); err != nil {
		return nil, err
	}
	pw, generated, err := ChosenPassword(req.Password)
	if err != nil {
		return nil, err
	}
	if u.PasswordHash, err = password.Hash(pw); err != nil {
		return nil, err
	}
	if err := ac.store.UpdateUser(r.Context(), u); err != nil {
		return nil, err
	}
	if err := ac.store.RevokeUserSessions(r.Context(), u.ID); err != nil {
		return nil, err
	}
	out := &AdministeredUser{User: *u}
	if generated {
		out.GeneratedPassword = pw
	}
	return out, nil
}

func (ac *access) reread(r *http.Request, id string) (*AdministeredUser, error) {
	u, err := ac.store.FindUser(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return &AdministeredUser{User: *u}, nil
}

// mayAdminister allows acting on userID only to someone else who holds
// org:manage in every organization the user belongs to, and is an owner
// wherever the user is one.
func (ac *access) mayAdminister(r *http.Request, userID string) error {
	p := principalFrom(r.Context())
	if p.key != nil {
		return forbidden("API keys cannot administer users; an administrator signs in to do that")
	}
	if userID == p.caller.UserID {
		return capsule.Errorf(capsule.KindConflict, capsule.CodeSelfAdministration, "you cannot disable, delete or reset yourself here; use your own account settings")
	}
	ms, err := ac.store.ListMemberships(r.Context(), userID)
	if err != nil {
		return err
	}
	for _, m := range ms {
		if !rbac.Decide(p.bindings, rbac.OrgManage, rbac.Scope{OrgID: m.OrganizationID}).Allowed {
			return forbidden("the user also belongs to organization " + m.OrganizationID + ", which you do not manage")
		}
		if m.Role == rbac.Owner && !isOwner(p.caller, m.OrganizationID) {
			return forbidden("the user is an owner of organization " + m.OrganizationID + "; only its owners may administer them")
		}
	}
	return nil
}

// ChosenPassword checks a chosen password against the policy, or generates
// one (144 random bits) when none was given; the bool says it generated.
func ChosenPassword(pw string) (string, bool, error) {
	if pw != "" {
		return pw, false, password.CheckPolicy(pw)
	}
	b := make([]byte, 18)
	if _, err := rand.Read(b); err != nil {
		return "", false, err
	}
	return base64.RawURLEncoding.EncodeToString(b), true, nil
}

func isOwner(c *Caller, orgID string) bool {
	for _, m := range c.Memberships {
		if m.OrganizationID == orgID && m.Role == rbac.Owner {
			return true
		}
	}
	return false
}

package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/rbac"
)

// InvitationTTL is how long an invitation can be accepted.
const InvitationTTL = 7 * 24 * time.Hour

// MemberRoleRequest is the body of PUT /organizations/{id}/members/{userId}.
type MemberRoleRequest struct {
	Role string `json:"role"`
}

// InvitationRequest is the body of POST /organizations/{id}/invitations.
type InvitationRequest struct {
	Email string `json:"email"`
	Role  string `json:"role"`
}

// CreatedInvitation carries the invitation token, shown once.
type CreatedInvitation struct {
	identity.Invitation
	Token string `json:"token"`
}

// AcceptInvitationRequest is the body of POST /invitations/accept.
type AcceptInvitationRequest struct {
	Token string `json:"token"`
}

func (ac *access) listMembers(w http.ResponseWriter, r *http.Request) error {
	p, err := pageParam(r.URL.Query())
	if err != nil {
		return err
	}
	l, err := ac.store.ListMembers(r.Context(), r.PathValue("id"), p)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// grantableRole resolves a role and checks the caller may hand it out.
func (ac *access) grantableRole(r *http.Request, orgID, name string) error {
	roles := roleResolver{ac: ac, ctx: r.Context()}
	role, err := roles.resolve(orgID, name)
	if err != nil {
		return err
	}
	if len(role.Permissions) == 0 {
		return invalid(capsule.CodeValidation, "role", "%q is not a role of this organization", name)
	}
	return ac.checkGrantable(r, role, rbac.Scope{OrgID: orgID})
}

// setMemberRole changes a member's organization-wide role. Changing an
// owner, or making one, needs every permission of the owner role (so admins
// cannot touch owners), and the last owner cannot be demoted.
func (ac *access) setMemberRole(w http.ResponseWriter, r *http.Request) error {
	orgID, userID := r.PathValue("id"), r.PathValue("userId")
	var req MemberRoleRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	m, err := ac.store.FindMember(r.Context(), orgID, userID)
	if err != nil {
		return err
	}
	if err := ac.grantableRole(r, orgID, req.Role); err != nil {
		return err
	}
	if err := ac.mayChange(r, orgID, m); err != nil {
		return err
	}
	if err := ac.store.RemoveMember(r.Context(), orgID, userID); err != nil {
		return err
	}
	m.Role = req.Role
	if err := ac.store.AddMember(r.Context(), m); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

// mayChange refuses changes to an owner by a non-owner and to the last owner.
func (ac *access) mayChange(r *http.Request, orgID string, m *capsule.Member) error {
	if m.Role != rbac.Owner {
		return nil
	}
	if err := ac.checkGrantable(r, rbac.BuiltIn(rbac.Owner), rbac.Scope{OrgID: orgID}); err != nil {
		return err
	}
	l, err := ac.store.ListMembers(r.Context(), orgID, capsule.Page{Limit: 500})
	if err != nil {
		return err
	}
	owners := 0
	for _, x := range l.Items {
		if x.Role == rbac.Owner {
			owners++
		}
	}
	if owners <= 1 {
		return capsule.Errorf(capsule.KindConflict, capsule.CodeLastOwner, "the organization's last owner cannot be demoted or removed")
	}
	return nil
}

func (ac *access) removeMember(w http.ResponseWriter, r *http.Request) error {
	orgID, userID := r.PathValue("id"), r.PathValue("userId")
	m, err := ac.store.FindMember(r.Context(), orgID, userID)
	if err != nil {
		return err
	}
	if err := ac.mayChange(r, orgID, m); err != nil {
		return err
	}
	if err := ac.store.RemoveMember(r.Context(), orgID, userID); err != nil {
		return err
	}
	// Their tokens were minted while they were a member: revoking their
	// sessions makes every one of them sign in again with what remains.
	if err := ac.revokeUser(r.Context(), userID); err != nil {
		return err
	}
	return noContent(w)
}

func (ac *access) invite(w http.ResponseWriter, r *http.Request) error {
	orgID := r.PathValue("id")
	var req InvitationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u := capsule.User{Email: strings.TrimSpace(req.Email), Name: "invitee"}
	if err := u.Validate(); err != nil {
		return err
	}
	if err := ac.grantableRole(r, orgID, req.Role); err != nil {
		return err
	}
	tok, hash, err := newRefreshToken() // 256 random bits, SHA-256 at rest
	if err != nil {
		return err
	}
	_, actor := principalFrom(r.Context()).actor()
	now := ac.now().UTC().Truncate(time.Microsecond)
	inv := &identity.Invitation{OrganizationID: orgID, Email: u.Email, Role: req.Role, TokenHash: hash,
		InvitedBy: actor, CreatedAt: now, ExpiresAt: now.Add(InvitationTTL)}
	if err := ac.ids.CreateInvitation(r.Context(), inv); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/api/v1/organizations/"+orgID+"/invitations/"+inv.ID)
	writeJSON(w, http.StatusCreated, CreatedInvitation{Invitation: *inv, Token: tok})
	return nil
}

// acceptInvitation makes the signed-in user a member; the invitation must
// be addressed to their email.
func (ac *access) acceptInvitation(w http.ResponseWriter, r *http.Request) error {
	uid, err := selfUser(r)
	if err != nil {
		return err
	}
	var req AcceptInvitationRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	u, err := ac.store.FindUser(r.Context(), uid)
	if err != nil {
		return err
	}
	inv, err := ac.ids.AcceptInvitation(r.Context(), hashToken(req.Token), u.Email, ac.now())
	if err != nil {
		return err
	}
	m := &capsule.Member{OrganizationID: inv.OrganizationID, UserID: uid, Role: inv.Role, InvitedBy: inv.InvitedBy, JoinedAt: ac.now().UTC()}
	if err := ac.store.AddMember(r.Context(), m); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, m)
	return nil
}

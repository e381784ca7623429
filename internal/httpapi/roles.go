package httpapi

import (
	"net/http"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/rbac"
)

// RoleList lists the roles usable in an organization.
type RoleList struct {
	Items []rbac.Role `json:"items"`
}

// RoleBindingList lists an organization's scoped role bindings.
type RoleBindingList struct {
	Items []identity.RoleBinding `json:"items"`
}

func (ac *access) listRoles(w http.ResponseWriter, r *http.Request) error {
	custom, err := ac.ids.CustomRoles(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	out := rbac.BuiltInRoles()
	for _, c := range custom {
		out = append(out, c)
	}
	writeJSON(w, http.StatusOK, RoleList{Items: out})
	return nil
}

func (ac *access) createRole(w http.ResponseWriter, r *http.Request) error {
	orgID := r.PathValue("id")
	var role rbac.Role
	if err := decodeJSON(r, &role); err != nil {
		return err
	}
	role.BuiltIn = false
	if err := rbac.ValidateCustom(role); err != nil {
		return invalid(capsule.CodeValidation, "role", "%v", err)
	}
	if err := ac.checkGrantable(r, role, rbac.Scope{OrgID: orgID}); err != nil {
		return err
	}
	if err := ac.ids.CreateCustomRole(r.Context(), orgID, role, ac.now()); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/organizations/"+orgID+"/roles/"+role.Name)
	writeJSON(w, http.StatusCreated, role)
	return nil
}

func (ac *access) deleteRole(w http.ResponseWriter, r *http.Request) error {
	if err := ac.ids.DeleteCustomRole(r.Context(), r.PathValue("id"), r.PathValue("name")); err != nil {
		return err
	}
	return noContent(w)
}

func (ac *access) listRoleBindings(w http.ResponseWriter, r *http.Request) error {
	bs, err := ac.ids.ListRoleBindings(r.Context(), r.PathValue("id"), r.URL.Query().Get("userId"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, RoleBindingList{Items: bs})
	return nil
}

// createRoleBinding grants a member a role on one project or environment of
// the organization, e.g. deploy:production on one production environment.
func (ac *access) createRoleBinding(w http.ResponseWriter, r *http.Request) error {
	orgID := r.PathValue("id")
	var b identity.RoleBinding
	if err := decodeJSON(r, &b); err != nil {
		return err
	}
	ctx := r.Context()
	b.OrganizationID, b.CreatedAt = orgID, ac.now()
	_, b.CreatedBy = principalFrom(ctx).actor()
	if _, err := ac.store.FindMember(ctx, orgID, b.UserID); err != nil {
		if capsule.IsNotFound(err) {
			return invalid(capsule.CodeValidation, "userId", "user %q is not a member of this organization", b.UserID)
		}
		return err
	}
	if b.ProjectID == "" {
		return invalid(capsule.CodeValidation, "projectId", "is required: the organization-wide role is the membership's role")
	}
	p, err := ac.store.FindProject(ctx, b.ProjectID)
	if err != nil || p.OrganizationID != orgID {
		return invalid(capsule.CodeValidation, "projectId", "project %q is not in this organization", b.ProjectID)
	}
	if b.EnvironmentID != "" {
		e, err := ac.store.FindEnvironment(ctx, b.EnvironmentID)
		if err != nil || e.ProjectID != p.ID {
			return invalid(capsule.CodeValidation, "environmentId", "environment %q is not in project %q", b.EnvironmentID, p.ID)
		}
	}
	roles := roleResolver{ac: ac, ctx: ctx}
	role, err := roles.resolve(orgID, b.Role)
	if err != nil {
		return err
	}
	if len(role.Permissions) == 0 {
		return invalid(capsule.CodeValidation, "role", "%q is not a role of this organization", b.Role)
	}
	if err := ac.checkGrantable(r, role, b.Scope()); err != nil {
		return err
	}
	if err := ac.ids.CreateRoleBinding(ctx, &b); err != nil {
		return err
	}
	w.Header().Set("Location", "/api/v1/organizations/"+orgID+"/role-bindings/"+b.ID)
	writeJSON(w, http.StatusCreated, b)
	return nil
}

func (ac *access) deleteRoleBinding(w http.ResponseWriter, r *http.Request) error {
	if err := ac.ids.DeleteRoleBinding(r.Context(), r.PathValue("id"), r.PathValue("bindingId")); err != nil {
		return err
	}
	return noContent(w)
}

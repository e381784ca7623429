package httpapi

import (
	"net/http"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity/apikey"
	"github.com/usecapsule/capsule/internal/rbac"
)

// CreateAPIKeyRequest is the body of POST /organizations/{id}/api-keys.
type CreateAPIKeyRequest struct {
	Name      string     `json:"name"`
	Role      string     `json:"role"`
	ProjectID string     `json:"projectId,omitempty"`
	ExpiresAt *time.Time `json:"expiresAt,omitempty"`
}

// CreatedAPIKey is the answer to creating a key: Key is shown this once.
type CreatedAPIKey struct {
	apikey.APIKey
	Key string `json:"key"`
}

// APIKeyList is the list of an organization's keys (never their secrets).
type APIKeyList struct {
	Items []apikey.APIKey `json:"items"`
}

func (ac *access) listAPIKeys(w http.ResponseWriter, r *http.Request) error {
	ks, err := ac.ids.ListAPIKeys(r.Context(), r.PathValue("id"))
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, APIKeyList{Items: ks})
	return nil
}

// createAPIKey makes a key with a role no stronger than the creator's own
// at the key's scope, so a key cannot be used to escalate.
func (ac *access) createAPIKey(w http.ResponseWriter, r *http.Request) error {
	orgID := r.PathValue("id")
	var req CreateAPIKeyRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	now := ac.now()
	var v capsule.Validation
	req.Name = strings.TrimSpace(req.Name)
	if req.Name == "" || len(req.Name) > 100 {
		v.Add("name", "is required and at most 100 characters")
	}
	if req.ExpiresAt != nil && !req.ExpiresAt.After(now) {
		v.Add("expiresAt", "must be in the future")
	}
	roles := roleResolver{ac: ac, ctx: r.Context()}
	role, err := roles.resolve(orgID, req.Role)
	if err != nil {
		return err
	}
	if len(role.Permissions) == 0 {
		v.Add("role", "%q is not a role of this organization", req.Role)
	}
	if err := v.Err(); err != nil {
		return err
	}
	scope := rbac.Scope{OrgID: orgID}
	if req.ProjectID != "" {
		p, err := ac.store.FindProject(r.Context(), req.ProjectID)
		if err != nil || p.OrganizationID != orgID {
			return invalid(capsule.CodeValidation, "projectId", "project %q is not in this organization", req.ProjectID)
		}
		scope.ProjectID = p.ID
	}
	if err := ac.checkGrantable(r, role, scope); err != nil {
		return err
	}
	gen, err := apikey.Generate()
	if err != nil {
		return err
	}
	p := principalFrom(r.Context())
	_, actor := p.actor()
	k := apikey.APIKey{ID: gen.ID, OrganizationID: orgID, Name: req.Name, Role: req.Role, ProjectID: scope.ProjectID,
		Hash: gen.Hash, CreatedBy: actor, CreatedAt: now.UTC().Truncate(time.Microsecond), ExpiresAt: req.ExpiresAt}
	if err := ac.ids.CreateAPIKey(r.Context(), &k); err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	w.Header().Set("Location", "/api/v1/organizations/"+orgID+"/api-keys/"+k.ID)
	writeJSON(w, http.StatusCreated, CreatedAPIKey{APIKey: k, Key: gen.Plain})
	return nil
}

// checkGrantable refuses to hand out a role holding a permission the
// caller does not hold at that scope.
func (ac *access) checkGrantable(r *http.Request, role rbac.Role, scope rbac.Scope) error {
	p := principalFrom(r.Context())
	for _, perm := range role.Permissions {
		if !rbac.Decide(p.bindings, perm, scope).Allowed {
			return forbidden("you cannot grant role " + role.Name + ": it includes " + string(perm) + ", which you do not hold there")
		}
	}
	return nil
}

func (ac *access) revokeAPIKey(w http.ResponseWriter, r *http.Request) error {
	if err := ac.ids.RevokeAPIKey(r.Context(), r.PathValue("id"), r.PathValue("keyId"), ac.now()); err != nil {
		return err
	}
	return noContent(w)
}

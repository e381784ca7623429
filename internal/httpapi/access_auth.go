package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/identity/apikey"
	"github.com/usecapsule/capsule/internal/rbac"
)

// principal is who is calling: a user (with a JWT) or an API key, with the
// role bindings that decide what they may do.
type principal struct {
	caller   *Caller
	key      *apikey.APIKey
	bindings []rbac.Binding
}

func (p *principal) actor() (typ, id string) {
	switch {
	case p == nil:
		return audit.ActorAnon, ""
	case p.key != nil:
		return audit.ActorAPIKey, p.key.ID
	}
	return audit.ActorUser, p.caller.UserID
}

// presentedAPIKey returns an API key from X-API-Key or from
// "Authorization: Bearer cap_...", or "".
func presentedAPIKey(r *http.Request) string {
	if k := r.Header.Get("X-API-Key"); k != "" {
		return strings.TrimSpace(k)
	}
	scheme, tok, ok := strings.Cut(r.Header.Get("Authorization"), " ")
	if ok && strings.EqualFold(scheme, "Bearer") && apikey.Looks(strings.TrimSpace(tok)) {
		return strings.TrimSpace(tok)
	}
	return ""
}

// authenticate accepts an API key or, through the API's own JWT check, an
// access token, and loads the principal's bindings.
func (ac *access) authenticate(a *API, r *http.Request) (*principal, error) {
	if k := presentedAPIKey(r); k != "" {
		return ac.authenticateKey(r.Context(), k)
	}
	c, err := a.authenticate(r)
	if err != nil {
		return nil, err
	}
	bs, err := ac.userBindings(r.Context(), c)
	if err != nil {
		return nil, err
	}
	return &principal{caller: c, bindings: bs}, nil
}

var errBadAPIKey = capsule.Errorf(capsule.KindUnauthenticated, capsule.CodeInvalidAPIKey, "the API key is invalid, expired or revoked")

func (ac *access) authenticateKey(ctx context.Context, plain string) (*principal, error) {
	id, err := apikey.Parse(plain)
	if err != nil {
		return nil, errBadAPIKey
	}
	k, err := ac.ids.FindAPIKey(ctx, id)
	if capsule.IsNotFound(err) {
		return nil, errBadAPIKey
	}
	if err != nil {
		return nil, err
	}
	now := ac.now()
	if err := k.Check(plain, now); err != nil {
		return nil, errBadAPIKey
	}
	// Last use is recorded at most once a minute per key.
	if k.LastUsedAt == nil || now.Sub(*k.LastUsedAt) > time.Minute {
		if err := ac.ids.TouchAPIKey(ctx, k.ID, now); err != nil {
			return nil, err
		}
	}
	roles := roleResolver{ac: ac, ctx: ctx}
	role, err := roles.resolve(k.OrganizationID, k.Role)
	if err != nil {
		return nil, err
	}
	// The caller's user id names the key, not its creator: lists filtered by
	// user (and the per-user read cache) must not show the creator's wider view.
	uid := "apikey:" + k.ID
	c := &Caller{UserID: uid, Memberships: []capsule.Member{{OrganizationID: k.OrganizationID, UserID: uid, Role: k.Role}}}
	b := rbac.Binding{Role: role, Scope: rbac.Scope{OrgID: k.OrganizationID, ProjectID: k.ProjectID}}
	return &principal{caller: c, key: k, bindings: []rbac.Binding{b}}, nil
}

// userBindings are the organization-wide roles of the user's memberships
// plus their project- and environment-scoped bindings.
func (ac *access) userBindings(ctx context.Context, c *Caller) ([]rbac.Binding, error) {
	roles := roleResolver{ac: ac, ctx: ctx}
	var out []rbac.Binding
	for _, m := range c.Memberships {
		role, err := roles.resolve(m.OrganizationID, m.Role)
		if err != nil {
			return nil, err
		}
		out = append(out, rbac.Binding{Role: role, Scope: rbac.Scope{OrgID: m.OrganizationID}})
	}
	bs, err := cached(ac.cache, "rb:"+c.UserID, func() ([]identity.RoleBinding, error) {
		return ac.ids.UserRoleBindings(ctx, c.UserID)
	})
	if err != nil {
		return nil, err
	}
	for _, b := range bs {
		if !c.IsMember(b.OrganizationID) {
			continue // a binding outlives a removed membership but grants nothing
		}
		role, err := roles.resolve(b.OrganizationID, b.Role)
		if err != nil {
			return nil, err
		}
		out = append(out, rbac.Binding{Role: role, Scope: b.Scope()})
	}
	return out, nil
}

// roleResolver turns role names into roles, loading each organization's
// custom roles once per request.
type roleResolver struct {
	ac     *access
	ctx    context.Context
	custom map[string]map[string]rbac.Role
}

func (rr *roleResolver) resolve(orgID, name string) (rbac.Role, error) {
	if rbac.IsBuiltIn(name) {
		return rbac.BuiltIn(name), nil
	}
	if rr.custom == nil {
		rr.custom = map[string]map[string]rbac.Role{}
	}
	roles, ok := rr.custom[orgID]
	if !ok {
		var err error
		roles, err = cached(rr.ac.cache, "roles:"+orgID, func() (map[string]rbac.Role, error) {
			return rr.ac.ids.CustomRoles(rr.ctx, orgID)
		})
		if err != nil {
			return rbac.Role{}, err
		}
		rr.custom[orgID] = roles
	}
	// A deleted custom role grants nothing.
	if r, ok := roles[name]; ok {
		return r, nil
	}
	return rbac.Role{Name: name}, nil
}

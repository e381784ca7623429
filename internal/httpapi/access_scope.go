package httpapi

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/rbac"
)

// target is what a request acts on, as far as access control is concerned.
type target struct {
	scope   rbac.Scope
	envKind string // the environment's kind when the scope names one
	entity  string // for the not-found error: "project", "secret", ...
	id      string
	scoped  bool // false for lists and creates that name no organization
	// ref names the most specific parent a request without {id} referred
	// to, for its not-found error (e.g. PROJECT_NOT_FOUND).
	refEntity, refID string
	// claims are the references named in the query and body, checked
	// against scope once the request is authorized.
	claims   scopeClaims
	fromPath bool // scope came from the path's {id}
}

// resourceOf returns the first path segment after /api/v1/, e.g. "projects".
func resourceOf(path string) string {
	rest, _ := strings.CutPrefix(path, "/api/v1/")
	seg, _, _ := strings.Cut(rest, "/")
	return seg
}

var entityOfResource = map[string]string{
	"organizations": "organization", "projects": "project", "environments": "environment",
	"services": "service", "deployments": "deployment", "secrets": "secret", "clusters": "cluster",
}

// resolveTarget finds the scope of a request: from the path's {id} (loading
// the entity and its parents), else from organizationId/projectId/
// environmentId in the query or, for writes, the JSON body. The query and
// the body must agree where both name a reference (SCOPE_MISMATCH).
func (ac *access) resolveTarget(r *http.Request, rt Route) (target, error) {
	res := resourceOf(rt.Path)
	t := target{entity: entityOfResource[res], claims: claimsOf(r, !rt.Upload)}
	if t.entity == "" {
		t.entity = strings.TrimSuffix(res, "s")
	}
	if res == "notifications" { // outbound: channels and rules share the resource
		t.entity = notificationEntity(rt.Path)
	}
	ref, err := t.claims.merge()
	if err != nil {
		return t, err
	}
	if id := r.PathValue("id"); id != "" && strings.Contains(rt.Path, "{id}") {
		t.id, t.fromPath = id, true
		if r.Method == http.MethodPut && ownParentChecked[res] && strings.HasSuffix(rt.Path, "/{id}") {
			// The body's parent reference is a field of the entity being
			// replaced; its handler refuses a change with a message that
			// says a move is impossible, which says more than a mismatch.
			t.claims.body = scopeRef{}
		}
		return ac.resolveByID(r.Context(), res, t)
	}
	if res == "promotions" && r.Method == http.MethodPost {
		// A preview names no organization: its scope is the target
		// environment the body names, by ID or by name.
		env, err := promotionTarget(r.Context(), ac.store, CallerFrom(r.Context()), peekBody(r))
		if err != nil {
			return t, err
		}
		if env != "" {
			ref = scopeRef{environment: env}
		}
	}
	return ac.resolveRef(r.Context(), ref, t)
}

func (ac *access) resolveByID(ctx context.Context, res string, t target) (target, error) {
	st := ac.store
	switch res {
	case "organizations":
		t.scope, t.scoped = rbac.Scope{OrgID: t.id}, true
		return t, nil
	case "projects":
		return ac.resolveRef(ctx, scopeRef{project: t.id}, t)
	case "environments":
		return ac.resolveRef(ctx, scopeRef{environment: t.id}, t)
	case "services":
		s, err := st.FindService(ctx, t.id)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		return ac.resolveRef(ctx, scopeRef{project: s.ProjectID}, t)
	case "deployments":
		d, err := st.FindDeployment(ctx, t.id)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		return ac.resolveRef(ctx, scopeRef{environment: d.EnvironmentID}, t)
	case "previews":
		p, err := st.FindPreview(ctx, t.id)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		return ac.resolveRef(ctx, scopeRef{org: p.OrganizationID, project: p.ProjectID}, t)
	case "clusters":
		c, err := st.FindCluster(ctx, t.id)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		t.scope, t.scoped = rbac.Scope{OrgID: c.OrganizationID}, true
		return t, nil
	case "agents":
		if ac.inv == nil {
			return t, notFoundAs(capsule.NotFound("agent", t.id), t)
		}
		a, err := ac.inv.Agent(ctx, t.id)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		return ac.resolveRef(ctx, scopeRef{org: a.OrganizationID}, t)
	case "promotions":
		p, err := st.FindPromotion(ctx, t.id)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		return ac.resolveRef(ctx, scopeRef{environment: p.TargetEnvID}, t)
	case "secrets":
		s, err := ac.ids.FindSecret(ctx, t.id)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		t.scope, t.scoped = s.Scope(), true
		if s.EnvironmentID != "" {
			if e, err := st.FindEnvironment(ctx, s.EnvironmentID); err == nil {
				t.envKind = e.Kind
			}
		}
		return t, nil
	case "webhooks": // outbound
		if ac.webhooks == nil {
			return t, notFoundAs(capsule.NotFound("webhook", t.id), t)
		}
		s, err := ac.webhooks.Store.Find(ctx, t.id)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		t.scope, t.scoped = rbac.Scope{OrgID: s.OrganizationID}, true
		return t, nil
	case "notifications": // outbound
		org, err := ac.resolveNotification(ctx, t.entity, t.id)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		t.scope, t.scoped = rbac.Scope{OrgID: org}, true
		return t, nil
	}
	return t, capsule.Internal(errUnknownResource(res))
}

type errUnknownResource string

// Error names the resource.
func (e errUnknownResource) Error() string {
	return "access: no scope resolver for resource " + string(e)
}

// ownParentChecked are the resources whose PUT handler refuses a change of
// the entity's own parent reference (immutable).
var ownParentChecked = map[string]bool{"projects": true, "environments": true, "services": true}

// scopeRef are the parent references a request names.
type scopeRef struct{ org, project, environment string }

func refsFromQuery(r *http.Request) scopeRef {
	q := r.URL.Query()
	return scopeRef{org: q.Get("organizationId"), project: q.Get("projectId"), environment: q.Get("environmentId")}
}

// refsFromBody reads the references of a JSON body and puts the body back
// for the handler. The body is already limited by the API's MaxBytesReader.
func refsFromBody(r *http.Request) scopeRef {
	data := peekBody(r)
	var b struct {
		Org     string `json:"organizationId"`
		Project string `json:"projectId"`
		Env     string `json:"environmentId"`
		// The clusters API spells its fields in snake_case.
		OrgSnake string `json:"organization_id"`
	}
	_ = json.Unmarshal(data, &b) // the handler reports malformed JSON
	if b.Org == "" {
		b.Org = b.OrgSnake
	}
	return scopeRef{org: b.Org, project: b.Project, environment: b.Env}
}

// resolveRef turns the most specific reference into a full scope. A
// reference that does not exist is reported as the target's not-found error.
func (ac *access) resolveRef(ctx context.Context, ref scopeRef, t target) (target, error) {
	st := ac.store
	switch {
	case ref.environment != "":
		t.refEntity, t.refID = "environment", ref.environment
	case ref.project != "":
		t.refEntity, t.refID = "project", ref.project
	default:
		t.refEntity, t.refID = "organization", ref.org
	}
	if ref.environment != "" {
		e, err := st.FindEnvironment(ctx, ref.environment)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		t.envKind = e.Kind
		t.scope.EnvironmentID = e.ID
		ref.project = e.ProjectID
	}
	if ref.project != "" {
		p, err := st.FindProject(ctx, ref.project)
		if err != nil {
			return t, notFoundAs(err, t)
		}
		t.scope.ProjectID, t.scope.OrgID = p.ID, p.OrganizationID
		t.scoped = true
		return t, nil
	}
	if ref.org != "" {
		t.scope.OrgID, t.scoped = ref.org, true
	}
	return t, nil
}

// notFoundAs reports a missing parent as the target's own not-found error
// when the target has an id, so a probe learns nothing about which part is
// missing.
func notFoundAs(err error, t target) error {
	if capsule.IsNotFound(err) && t.id != "" {
		return capsule.NotFound(t.entity, t.id)
	}
	return err
}

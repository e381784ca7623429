package httpapi

import (
	"fmt"
	"net/http"

	"github.com/usecapsule/capsule"
)

// scopeClaims are the organization, project and environment a request names
// outside its path: in the query string and, for writes, at the top level of
// its JSON body. The guard authorizes one scope and the handler acts on one
// scope; when the two sources disagree, picking either silently could
// authorize in one organization and write in another, so a disagreement is
// refused with SCOPE_MISMATCH instead.
type scopeClaims struct{ query, body scopeRef }

func claimsOf(r *http.Request, readBody bool) scopeClaims {
	c := scopeClaims{query: refsFromQuery(r)}
	if readBody && isWrite(r.Method) {
		c.body = refsFromBody(r)
	}
	return c
}

// fields pairs each reference field's JSON name with its value.
func (s scopeRef) fields() [3]struct{ name, value string } {
	return [3]struct{ name, value string }{
		{"organizationId", s.org}, {"projectId", s.project}, {"environmentId", s.environment}}
}

// merge returns the union of the query's and the body's references, or
// SCOPE_MISMATCH when both name the same field with different values. It
// compares only what the client sent, so it reveals nothing and runs before
// authorization.
func (c scopeClaims) merge() (scopeRef, error) {
	q, b := c.query.fields(), c.body.fields()
	for i := range q {
		if q[i].value != "" && b[i].value != "" && q[i].value != b[i].value {
			return scopeRef{}, scopeMismatch(q[i].name,
				fmt.Sprintf("the query names %s %q but the body names %q", q[i].name, q[i].value, b[i].value),
				map[string]any{"query": q[i].value, "body": b[i].value})
		}
	}
	pick := func(a, b string) string {
		if a != "" {
			return a
		}
		return b
	}
	return scopeRef{org: pick(c.query.org, c.body.org), project: pick(c.query.project, c.body.project),
		environment: pick(c.query.environment, c.body.environment)}, nil
}

// check compares every reference the request named with the scope it was
// authorized on (resolved from the path's id or from the most specific
// reference). A reference below the resolved level (a projectId in the body
// of an organization's role binding) names what the handler acts on, not
// the scope, and is left to the handler. It runs only after authorization
// succeeded, so a mismatch never reveals another tenant's parent IDs.
func (c scopeClaims) check(t target, fromPath bool) error {
	resolved := [3]string{t.scope.OrgID, t.scope.ProjectID, t.scope.EnvironmentID}
	for _, src := range []struct {
		name string
		ref  scopeRef
	}{{"query", c.query}, {"body", c.body}} {
		for i, f := range src.ref.fields() {
			if f.value == "" || resolved[i] == "" || f.value == resolved[i] {
				continue
			}
			from := "the path's " + t.entity
			if !fromPath {
				from = "the " + t.refEntity + " " + fmt.Sprintf("%q", t.refID)
			}
			return scopeMismatch(f.name,
				fmt.Sprintf("the %s names %s %q but %s is in %q", src.name, f.name, f.value, from, resolved[i]),
				map[string]any{src.name: f.value, "resolved": resolved[i]})
		}
	}
	return nil
}

func scopeMismatch(field, msg string, details map[string]any) error {
	details["field"] = field
	return &capsule.Error{Kind: capsule.KindInvalid, Code: capsule.CodeScopeMismatch, Message: msg, Details: details}
}

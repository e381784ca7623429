package httpapi

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"path"
	"strings"
	"unicode/utf8"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identity"
)

// actionVerbs are final path segments that name the action themselves.
var actionVerbs = map[string]bool{
	"deploy": true, "rollback": true, "scale": true, "cancel": true, "login": true, "logout": true,
	"refresh": true, "verify": true, "revoke": true, "rotate": true, "rewrap": true, "value": true, "export": true,
	"disable": true, "enable": true, "reset-password": true,
	// Promotions (promo).
	"preview": true, "approve": true, "reject": true, "deliver": true,
}

// actionOf names a route for the audit log: its static path segments and a
// verb, e.g. "projects.create", "services.deploy", "auth.login".
func actionOf(rt Route) string {
	var segs []string
	for _, s := range strings.Split(strings.TrimPrefix(rt.Path, "/api/v1/"), "/") {
		if s != "" && !strings.HasPrefix(s, "{") {
			segs = append(segs, s)
		}
	}
	if n := len(segs); n > 0 && actionVerbs[segs[n-1]] {
		return strings.Join(segs, ".")
	}
	verb := map[string]string{"POST": "create", "PUT": "update", "PATCH": "update", "DELETE": "delete"}[rt.Method]
	if verb == "" {
		verb = "read"
	}
	return strings.Join(append(segs, verb), ".")
}

// record appends an audit entry; a failure to audit is logged, never shown
// to the client (the action itself has already happened or been refused).
func (ac *access) record(r *http.Request, rt Route, p *principal, t target, outcome string, after ...map[string]string) {
	var a map[string]string
	if len(after) > 0 {
		a = after[0]
	}
	ac.recordChange(r, rt, p, t, outcome, nil, a)
}

// recordWrite audits a state-changing request after its handler ran. When
// the handler's change committed, its entry committed with it (see
// identity.AuditUnit) and only a response that still failed adds a
// failure entry. Otherwise the entry is appended now with the response's
// outcome: the created entity's id comes from the Location header, the
// summary from the request body's top-level fields (credentials redacted).
func (ac *access) recordWrite(r *http.Request, rt Route, p *principal, t target, rec *statusRecorder, body []byte, before map[string]string, unit identity.AuditUnit) {
	outcome := outcomeOf(rec.status)
	if e, ok := unit.Committed(); ok {
		if outcome == audit.OutcomeSuccess {
			return
		}
		t.id = e.TargetID
	}
	if t.id == "" {
		if loc := rec.Header().Get("Location"); loc != "" {
			t.id = path.Base(loc)
		}
	}
	ac.recordChange(r, rt, p, t, outcome, before, summarize(body))
}

// openUnit starts the audit unit of a state-changing request: the returned
// request's write transactions commit the entry with the change.
func (ac *access) openUnit(r *http.Request, rt Route, p *principal, t target, body []byte, before map[string]string) (*http.Request, identity.AuditUnit) {
	ctx, u := ac.ids.WithAuditUnit(r.Context(), ac.entryOf(r, rt, p, t, audit.OutcomeSuccess, before, summarize(body)))
	return r.WithContext(ctx), u
}

// recordChange is record with a before-summary too.
func (ac *access) recordChange(r *http.Request, rt Route, p *principal, t target, outcome string, before, after map[string]string) {
	e := ac.entryOf(r, rt, p, t, outcome, before, after)
	if err := ac.ids.AppendAudit(r.Context(), &e); err != nil {
		ac.log.ErrorContext(r.Context(), "audit append failed", "requestId", e.RequestID, "action", e.Action, "error", err.Error())
	}
}

func (ac *access) entryOf(r *http.Request, rt Route, p *principal, t target, outcome string, before, after map[string]string) audit.Entry {
	typ, id := p.actor()
	return audit.Entry{
		Time: ac.now(), ActorType: typ, ActorID: id, Action: actionOf(rt),
		TargetType: t.entity, TargetID: t.id, OrganizationID: t.scope.OrgID,
		RequestID: requestID(r.Context()), IP: clientIP(r), UserAgent: clip(r.UserAgent(), 256), Outcome: outcome,
		Before: audit.Redact(before), After: audit.Redact(after),
	}
}

// snapshot summarizes the entity a PUT or DELETE is about to change, for
// the entry's before-summary; secrets contribute metadata only.
func (ac *access) snapshot(r *http.Request, rt Route, t target) map[string]string {
	if t.id == "" || (r.Method != http.MethodPut && r.Method != http.MethodDelete && r.Method != http.MethodPatch) {
		return nil
	}
	ctx := r.Context()
	var v any
	var err error
	switch resourceOf(rt.Path) {
	case "organizations":
		if rt.Path == "/api/v1/organizations/{id}" {
			v, err = ac.store.FindOrganization(ctx, t.id)
		}
	case "projects":
		v, err = ac.store.FindProject(ctx, t.id)
	case "environments":
		v, err = ac.store.FindEnvironment(ctx, t.id)
	case "services":
		if rt.Path == "/api/v1/services/{id}" {
			v, err = ac.store.FindService(ctx, t.id)
		}
	case "clusters":
		v, err = ac.store.FindCluster(ctx, t.id) // the credential is not part of it
	case "secrets":
		v, err = ac.ids.FindSecret(ctx, t.id)
	}
	if v == nil || err != nil {
		return nil
	}
	b, err := json.Marshal(v)
	if err != nil {
		return nil
	}
	return summarize(b)
}

// outcomeOf classifies a response status.
func outcomeOf(status int) string {
	switch {
	case status == 0 || status < 400:
		return audit.OutcomeSuccess
	case status == http.StatusUnauthorized || status == http.StatusForbidden || status == http.StatusTooManyRequests:
		return audit.OutcomeDenied
	}
	return audit.OutcomeFailure
}

// audit4xx is the outcome of a refused request: denied for authentication
// and authorization failures, failure for anything else.
func audit4xx(err error) string {
	switch capsule.ErrorKind(err) {
	case capsule.KindUnauthenticated, capsule.KindForbidden, capsule.KindRateLimited:
		return audit.OutcomeDenied
	}
	return audit.OutcomeFailure
}

// peekBody reads a write request's body and puts it back for the handler,
// including a read error (such as the body limit's), so the handler reports
// it as it would have.
func peekBody(r *http.Request) []byte {
	if r.Body == nil || r.Body == http.NoBody || !isWrite(r.Method) {
		return nil
	}
	data, err := io.ReadAll(r.Body)
	var rest io.Reader = bytes.NewReader(data)
	if err != nil {
		rest = io.MultiReader(rest, errReader{err})
	}
	r.Body = io.NopCloser(rest)
	return data
}

// querySummary is an upload's audit summary: its query parameters (the
// first value of each) as a JSON object, since its body is a file streamed
// to the handler, never read by the guard.
func querySummary(r *http.Request) []byte {
	q := map[string]string{}
	for k, vs := range r.URL.Query() {
		if len(vs) > 0 && vs[0] != "" {
			q[k] = vs[0]
		}
	}
	data, _ := json.Marshal(q)
	return data
}

type errReader struct{ err error }

// Read replays the error.
func (e errReader) Read([]byte) (int, error) { return 0, e.err }

// summarize keeps a JSON object's top-level scalar fields, clipped, as the
// entry's after-summary; nested objects are noted by their key count.
func summarize(body []byte) map[string]string {
	var obj map[string]any
	if len(body) == 0 || json.Unmarshal(body, &obj) != nil {
		return nil
	}
	out := map[string]string{}
	for k, v := range obj {
		if len(out) >= 32 {
			break
		}
		switch v := v.(type) {
		case map[string]any:
			out[clip(k, 64)] = fmt.Sprintf("{%d fields}", len(v))
		case []any:
			out[clip(k, 64)] = fmt.Sprintf("[%d items]", len(v))
		case nil:
		default:
			out[clip(k, 64)] = clip(fmt.Sprint(v), 200)
		}
	}
	return out
}

func clip(s string, n int) string {
	if len(s) <= n {
		return s
	}
	s = s[:n]
	for !utf8.ValidString(s) {
		s = s[:len(s)-1]
	}
	return s + "…"
}

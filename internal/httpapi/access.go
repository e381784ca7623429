package httpapi

import (
	"context"
	"errors"
	"fmt"
	"github.com/usecapsule/capsule/internal/notify"
	"github.com/usecapsule/capsule/internal/webhook"
	"log/slog"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/inventory"
	"github.com/usecapsule/capsule/internal/ratelimit"
	"github.com/usecapsule/capsule/internal/rbac"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// AccessConfig are the identity and access dependencies of the API
// (issue 6): the identity store, the secret keyring and the rate limits.
type AccessConfig struct {
	// Identity is the identity store (identity.New over the same
	// database as Config.Store); required. It is passed in rather than
	// found under Config.Store, so a decorated store needs no unwrapping.
	Identity Identity
	// Keyring encrypts secrets; nil makes the secret routes answer 501.
	Keyring *secretbox.Keyring
	// AuditSigner signs the audit log's checkpoints and checks them when
	// the chain is verified; nil verifies the chain alone.
	AuditSigner *audit.Signer
	// Rate limits; zero values mean the ratelimit package's defaults.
	APIKeyRate, UserRate, IPRate, LoginRate ratelimit.Rate
	// TrustedProxies are the peers whose X-Forwarded-For or Forwarded
	// header names the client (for rate limits, sign-in throttling and the
	// audit log); from anyone else those headers are ignored.
	TrustedProxies []netip.Prefix
	// PairThrottle and AddressThrottle bound failed sign-ins per (account,
	// client address) and per client address; zero values mean
	// identity.PairThrottle and identity.AddressThrottle.
	PairThrottle, AddressThrottle identity.Throttle
}

// access enforces RBAC, rate limits and lockouts, and writes the audit log,
// around every route.
type access struct {
	store                       capsule.Store
	ids                         Identity
	keyring                     *secretbox.Keyring
	log                         *slog.Logger
	now                         func() time.Time
	apiKeys, users, ips, logins *ratelimit.Limiter
	cache                       *accessCache
	trusted                     []netip.Prefix
	pairThrottle, addrThrottle  identity.Throttle
	live                        *accessCache // session family -> still live (see sessionLive)
	providers                   sync.Map     // OIDC issuer -> *oidc.Provider (discovery and key set)
	http                        *http.Client // the guarded client for the identity providers
	clusterAllow                []netip.Prefix
	inv                         *inventory.Service // resolves /agents/{id} to its organization
	webhooks                    *webhook.Service   // resolves /webhooks/{id} to its organization
	notify                      *notify.Service    // resolves /notifications/.../{id} to its organization
}

func newAccess(cfg Config) (*access, error) {
	ac := &access{store: cfg.Store, ids: cfg.Access.Identity, keyring: cfg.Access.Keyring, log: cfg.Logger, now: cfg.Now,
		trusted: cfg.Access.TrustedProxies, cache: newAccessCache(), live: &accessCache{ttl: liveTTL, entries: map[string]accessEntry{}},
		http: cfg.Egress, clusterAllow: cfg.ClusterAllow}
	if ac.http == nil {
		ac.http = egress.New(egress.Options{})
	}
	if ac.ids == nil {
		return nil, errors.New("httpapi: Access.Identity is required (identity.New over the store's database)")
	}
	if cfg.Access.AuditSigner != nil {
		ac.ids.SetCheckpointSigner(cfg.Access.AuditSigner)
	}
	// Role, binding, MFA and API key writes through the identity store clear
	// the access cache and move the read cache's generation, like the
	// store's own writes: a removed grant stops listing on the next request.
	gs, _ := cfg.Store.(*genStore)
	ac.ids.OnAccessChange(func() {
		ac.cache.reset()
		if gs != nil {
			gs.bump(nil)
		}
	})
	ac.pairThrottle, ac.addrThrottle = cfg.Access.PairThrottle, cfg.Access.AddressThrottle
	if ac.pairThrottle == (identity.Throttle{}) {
		ac.pairThrottle = identity.PairThrottle
	}
	if ac.addrThrottle == (identity.Throttle{}) {
		ac.addrThrottle = identity.AddressThrottle
	}
	var err error
	rate := func(r, def ratelimit.Rate) *ratelimit.Limiter {
		if err != nil {
			return nil
		}
		if r == (ratelimit.Rate{}) {
			r = def
		}
		var l *ratelimit.Limiter
		l, err = ratelimit.New(r)
		return l
	}
	ac.apiKeys = rate(cfg.Access.APIKeyRate, ratelimit.DefaultAPIKey)
	ac.users = rate(cfg.Access.UserRate, ratelimit.DefaultUser)
	ac.ips = rate(cfg.Access.IPRate, ratelimit.DefaultIP)
	ac.logins = rate(cfg.Access.LoginRate, ratelimit.DefaultLogin)
	if err != nil {
		return nil, fmt.Errorf("httpapi: rate limits: %w", err)
	}
	return ac, nil
}

// guard wraps the API's handler of rt (wrap) with authentication (bearer
// JWT or API key), rate limiting, RBAC and the audit log. It authenticates
// itself, before wrap, so that failed authentication is audited too; wrap
// then sees a route marked public and the caller already in the context.
func (a *API) guard(rt Route) http.Handler {
	open := rt
	open.Public = true
	next := a.wrap(open)
	perm, known := permissionOf(rt)
	name := rt.Method + " " + rt.Path
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		ac := a.access
		in := infoFrom(r.Context())
		in.route, in.client = name, clientAddress(r, ac.trusted)
		setSecurityHeaders(w, r, rt)
		if err := checkOrigin(r); err != nil {
			ac.record(r, rt, nil, target{}, audit.OutcomeDenied)
			writeError(w, r, a.log, err)
			return
		}
		if rt.Public {
			ac.servePublic(w, r, rt, next)
			return
		}
		fail := func(err error) { writeError(w, r, a.log, err) }
		if rt.WebSocket {
			var err error
			if r, err = credentialFromProtocol(r); err != nil {
				ac.record(r, rt, nil, target{}, audit4xx(err))
				fail(err)
				return
			}
		}
		var body []byte
		if rt.Upload {
			body = querySummary(r)
		} else {
			body = peekBody(r)
		}
		p, err := ac.authenticate(a, r)
		if err != nil {
			// Failed authentication spends the client IP's budget, so a
			// flood of bad credentials is throttled (and cannot grow the
			// audit log without bound); within the budget each is audited.
			if lerr := limitWith(w, ac.ips, "ip:"+clientIP(r), ac.now()); lerr != nil {
				err = lerr
			} else {
				ac.record(r, rt, nil, target{}, audit4xx(err))
			}
			fail(err)
			return
		}
		r = r.WithContext(withPrincipal(withCaller(r.Context(), p.caller), p))
		if err := ac.rateLimit(w, r, p); err != nil {
			ac.record(r, rt, p, target{}, audit.OutcomeDenied)
			fail(err)
			return
		}
		if !known {
			fail(capsule.Internal(fmt.Errorf("route %s declares unknown permission %q", name, rt.Permission)))
			return
		}
		t, err := ac.authorize(r, rt, p, perm)
		if err == nil {
			err = ac.requireMFA(r, rt, p, t)
		}
		if err != nil {
			ac.record(r, rt, p, t, audit4xx(err))
			fail(err)
			return
		}
		r = r.WithContext(context.WithValue(r.Context(), targetKey{}, t))
		if rt.Upload {
			liftDeadlines(w)
		}
		before := ac.snapshot(r, rt, t)
		var unit identity.AuditUnit
		if isWrite(r.Method) {
			r, unit = ac.openUnit(r, rt, p, t, body, before)
		}
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		if isWrite(r.Method) {
			if rec.status < 400 && changesAccess(rt.Path) {
				ac.cache.reset()
			}
			ac.recordWrite(r, rt, p, t, rec, body, before, unit)
		}
	})
}

// liftDeadlines removes the server's read and write timeouts from an
// authorized upload: a month of a cloud bill takes minutes to send, and the
// route's body limit bounds it instead. Only a caller holding the route's
// permission gets this far, so it opens no slow-client hole to strangers.
func liftDeadlines(w http.ResponseWriter) {
	rc := http.NewResponseController(w)
	_ = rc.SetReadDeadline(time.Time{}) // a writer without deadlines (a test recorder) has none to lift
	_ = rc.SetWriteDeadline(time.Time{})
}

// changesAccess reports whether a write to path can change what someone
// may do: roles, bindings, memberships, MFA, organization settings.
func changesAccess(path string) bool {
	for _, p := range []string{"/roles", "/role-bindings", "/members", "/invitations", "/auth/mfa", "/api/v1/organizations/{id}"} {
		if strings.Contains(path, p) {
			return true
		}
	}
	return false
}

func isWrite(method string) bool {
	return method != http.MethodGet && method != http.MethodHead && method != http.MethodOptions
}

// authorize resolves the request's target and decides. A target in an
// organization where the principal has no binding answers 404, never 403.
func (ac *access) authorize(r *http.Request, rt Route, p *principal, perm rbac.Permission) (target, error) {
	if perm == installationAdmin {
		return target{}, ac.requireInstallationAdmin(r)
	}
	if perm == anyUser {
		if p.key != nil && rt.Permission == "organization:create" {
			return target{}, forbidden("API keys cannot create organizations")
		}
		return target{}, nil
	}
	t, err := ac.resolveTarget(r, rt)
	if err != nil {
		return t, err
	}
	ctx := r.Context()
	if !t.scoped {
		t.scope.OrgID, err = ac.authorizeUnscoped(r, p, perm)
		return t, err
	}
	if perm == deployByEnvironment {
		if t, err = ac.deployTarget(r, t); err != nil {
			return t, err
		}
		perm = rbac.DeployPermission(t.envKind)
	}
	d := rbac.Decide(p.bindings, perm, t.scope)
	switch {
	case d.Allowed:
		return t, t.claims.check(t, t.fromPath)
	case !d.Member && t.id != "":
		return t, capsule.NotFound(t.entity, t.id)
	case !d.Member && r.Method == http.MethodGet:
		return t, nil // a list filtered on another tenant: the handler answers as for any unknown id
	case !d.Member:
		return t, capsule.NotFound(t.refEntity, t.refID)
	}
	ac.log.DebugContext(ctx, "access denied", "reason", d.Reason)
	return t, forbidden(fmt.Sprintf("you need %s at %s scope for this", perm, t.scope.Level()))
}

// deployTarget narrows a deploy or rollback of a service to the target
// environment named in the body, so the environment's kind picks the deploy
// permission and environment-scoped bindings apply. Without one (or with an
// environment of another project) it stays at project scope and needs
// deploy:production: failing closed.
func (ac *access) deployTarget(r *http.Request, t target) (target, error) {
	if t.envKind != "" {
		return t, nil
	}
	envID := t.claims.body.environment // read once with the request's other references
	if envID == "" {
		return t, nil
	}
	e, err := ac.store.FindEnvironment(r.Context(), envID)
	if capsule.IsNotFound(err) || (err == nil && e.ProjectID != t.scope.ProjectID) {
		return t, nil
	}
	if err != nil {
		return t, err
	}
	t.envKind, t.scope.EnvironmentID = e.Kind, e.ID
	return t, nil
}

// authorizeUnscoped handles lists and creates that name no organization:
// lists only show organizations where the permission is held (the caller's
// memberships are narrowed), and a create is checked in the organization
// the handler will pick (the only one, or "default"), which it returns for
// the audit entry.
func (ac *access) authorizeUnscoped(r *http.Request, p *principal, perm rbac.Permission) (string, error) {
	if perm == deployByEnvironment {
		perm = rbac.DeployProduction
	}
	if r.Method == http.MethodGet {
		var allowed []capsule.Member
		for _, m := range p.caller.Memberships {
			if rbac.Decide(p.bindings, perm, rbac.Scope{OrgID: m.OrganizationID}).Allowed {
				allowed = append(allowed, m)
			}
		}
		narrowed := *p.caller
		narrowed.Memberships = allowed
		*r = *r.WithContext(withCaller(r.Context(), &narrowed))
		return "", nil
	}
	if len(p.caller.Memberships) == 0 {
		return "", forbidden(fmt.Sprintf("you need %s in an organization", perm))
	}
	org, err := defaultOrganization(r.Context(), ac.store)
	if err != nil {
		return "", nil // the handler reports the missing organizationId
	}
	if !rbac.Decide(p.bindings, perm, rbac.Scope{OrgID: org}).Allowed {
		return org, forbidden(fmt.Sprintf("you need %s in organization %s", perm, org))
	}
	return org, nil
}

func forbidden(msg string) error {
	return capsule.Errorf(capsule.KindForbidden, capsule.CodeForbidden, "%s", msg)
}

// rateLimit takes a token from the principal's bucket: the API key's, else
// the user's; anonymous requests are limited per client IP in servePublic.
func (ac *access) rateLimit(w http.ResponseWriter, r *http.Request, p *principal) error {
	l, key := ac.users, "user:"+p.caller.UserID
	if p.key != nil {
		l, key = ac.apiKeys, "key:"+p.key.ID
	}
	return limitWith(w, l, key, ac.now())
}

func limitWith(w http.ResponseWriter, l *ratelimit.Limiter, key string, now time.Time) error {
	ok, wait := l.Allow(key, now)
	if ok {
		return nil
	}
	w.Header().Set("Retry-After", strconv.Itoa(ratelimit.RetryAfterSeconds(wait)))
	return capsule.Errorf(capsule.KindRateLimited, capsule.CodeRateLimited,
		"too many requests; retry in %d s", ratelimit.RetryAfterSeconds(wait))
}

// clientIP is the request's client address as guard resolved it (see
// clientAddress and AccessConfig.TrustedProxies), else the peer's.
func clientIP(r *http.Request) string {
	if c := infoFrom(r.Context()).client; c != "" {
		return c
	}
	return peerAddress(r)
}

// statusRecorder remembers the status a handler wrote.
type statusRecorder struct {
	http.ResponseWriter
	status int
}

// WriteHeader records the first status.
func (s *statusRecorder) WriteHeader(code int) {
	if s.status == 0 {
		s.status = code
	}
	s.ResponseWriter.WriteHeader(code)
}

// Unwrap lets http.ResponseController reach the connection's writer.
func (s *statusRecorder) Unwrap() http.ResponseWriter { return s.ResponseWriter }

// Write records an implicit 200.
func (s *statusRecorder) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.status = http.StatusOK
	}
	return s.ResponseWriter.Write(b)
}

type principalKey struct{}

// targetKey holds the target the access layer resolved, for handlers that
// act on the scope (creating a secret in it).
type targetKey struct{}

func withPrincipal(ctx context.Context, p *principal) context.Context {
	return context.WithValue(ctx, principalKey{}, p)
}

func principalFrom(ctx context.Context) *principal {
	p, _ := ctx.Value(principalKey{}).(*principal)
	return p
}

// Package web is Capsule's web UI: server-rendered pages (html/template,
// embedded with the CSS and one small script) served by the control plane
// beside the API.
//
// The UI is a client of the API, in process: every page reads its data and
// every form acts through the same API routes, permissions and audit as any
// other client, by calling the API's http.Handler with the session's bearer
// token. It never reads the store. A viewer who posts an approve form gets
// the API's 403, rendered as an error page.
//
// Decisions (also in docs/notes/ui.md): the session cookie holds the access
// and refresh tokens sealed with AES-GCM under a key derived from the
// server's signing key, so any replica can open it and the browser cannot
// read them; it is HttpOnly, SameSite=Lax (a link from a chat lands signed
// in; writes are guarded by the CSRF token, never by SameSite alone) and
// Secure when the request came over TLS.
package web

import (
	"crypto/sha256"
	"errors"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
)

// CSP is the Content-Security-Policy of every page: no inline script or
// style, nothing from elsewhere.
const CSP = "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; frame-ancestors 'none'; form-action 'self'; base-uri 'none'"

// maxFormBytes bounds a page request's body (a form).
const maxFormBytes = 256 << 10

// Config holds the UI's dependencies.
type Config struct {
	// API is the control plane's API handler; every page calls it.
	API http.Handler
	// Key seals the session cookie and signs CSRF tokens; at least 32
	// bytes (the server passes its JWT signing key, from which the UI
	// derives keys of its own).
	Key    []byte
	Logger *slog.Logger
	// Now is the clock (time.Now when nil).
	Now func() time.Time
}

// Handler serves the UI and hands every API path to the API.
type Handler struct {
	api     http.Handler
	log     *slog.Logger
	now     func() time.Time
	seal    *sealer
	csrfKey []byte
	mux     *http.ServeMux
	refresh *refresher
	pending *pendingLogins
	initMux sync.Once
}

// New returns the UI handler. It parses nothing yet: templates are parsed
// on the first page request, so the binary's start-up pays nothing for them.
func New(cfg Config) (*Handler, error) {
	if cfg.API == nil {
		return nil, errors.New("web: API is required")
	}
	if len(cfg.Key) < 32 {
		return nil, errors.New("web: Key must have at least 32 bytes")
	}
	if cfg.Logger == nil {
		cfg.Logger = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	if cfg.Now == nil {
		cfg.Now = time.Now
	}
	s, err := newSealer(derive(cfg.Key, "capsule web session v1"))
	if err != nil {
		return nil, err
	}
	h := &Handler{api: cfg.API, log: cfg.Logger, now: cfg.Now, seal: s,
		csrfKey: derive(cfg.Key, "capsule web csrf v1")}
	h.refresh = newRefresher(h)
	h.pending = newPendingLogins(cfg.Now)
	return h, nil
}

// derive makes a key for one purpose from the server's key, so the cookie
// key and the CSRF key are independent of the JWT key and of each other.
func derive(key []byte, label string) []byte {
	m := sha256.New()
	m.Write([]byte(label))
	m.Write([]byte{0})
	m.Write(key)
	return m.Sum(nil)
}

// isAPIPath reports whether a path belongs to the API (and its operations
// routes) rather than to the UI.
func isAPIPath(p string) bool {
	return strings.HasPrefix(p, "/api/") || p == "/api" || p == "/healthz" || p == "/readyz" || p == "/metrics" ||
		strings.HasPrefix(p, "/capsule.") // the API's protobuf services (gRPC, gRPC-Web, Connect): /capsule.<package>.<Service>/<Method>
}

// ServeHTTP serves the UI's pages and assets and passes API paths through.
func (h *Handler) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	if h.ownsSSOCallback(r) {
		setPageHeaders(w, r)
		h.ssoCallback(w, r)
		return
	}
	if isAPIPath(r.URL.Path) {
		h.api.ServeHTTP(w, r)
		return
	}
	h.initMux.Do(h.routes)
	setPageHeaders(w, r)
	// Forms are small; the API bounds its own bodies.
	r.Body = http.MaxBytesReader(w, r.Body, maxFormBytes)
	h.mux.ServeHTTP(w, r)
}

// CloseStreams closes the API's open event streams at shutdown.
func (h *Handler) CloseStreams() {
	if s, ok := h.api.(interface{ CloseStreams() }); ok {
		s.CloseStreams()
	}
}

// setPageHeaders sets the headers every UI response carries.
func setPageHeaders(w http.ResponseWriter, r *http.Request) {
	hd := w.Header()
	hd.Set("Content-Security-Policy", CSP)
	hd.Set("X-Content-Type-Options", "nosniff")
	hd.Set("X-Frame-Options", "DENY")
	hd.Set("Referrer-Policy", "same-origin")
	hd.Set("Cross-Origin-Opener-Policy", "same-origin")
	if !strings.HasPrefix(r.URL.Path, "/static/") {
		// Pages hold tenants' data: no browser or proxy may keep them.
		hd.Set("Cache-Control", "no-store")
	}
	if r.TLS != nil {
		hd.Set("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
	}
}

// routes registers every page. Each page file has its own handlers.
func (h *Handler) routes() {
	m := http.NewServeMux()
	m.Handle("GET /static/", staticHandler())
	m.HandleFunc("GET /login", h.loginPage)
	m.HandleFunc("POST /login", h.loginPost)
	m.HandleFunc("POST /login/mfa", h.mfaPost)
	m.HandleFunc("GET /login/sso", h.ssoStart)
	m.HandleFunc("POST /logout", h.page(h.logout))
	m.HandleFunc("POST /org", h.page(h.switchOrg))
	m.HandleFunc("GET /{$}", h.page(h.dashboard))
	m.HandleFunc("GET /projects", h.page(h.projects))
	m.HandleFunc("POST /projects", h.page(h.createProject))
	m.HandleFunc("GET /projects/{id}", h.page(h.project))
	m.HandleFunc("POST /projects/{id}", h.page(h.editProject))
	m.HandleFunc("POST /projects/{id}/environments", h.page(h.createEnvironment))
	m.HandleFunc("POST /environments/{id}", h.page(h.editEnvironment))
	m.HandleFunc("POST /projects/{id}/services", h.page(h.createService))
	m.HandleFunc("GET /services/{id}", h.page(h.service))
	m.HandleFunc("POST /services/{id}", h.page(h.editService))
	m.HandleFunc("POST /services/{id}/deploy", h.page(h.serviceAction("deploy")))
	m.HandleFunc("POST /services/{id}/rollback", h.page(h.serviceAction("rollback")))
	m.HandleFunc("POST /services/{id}/scale", h.page(h.serviceAction("scale")))
	m.HandleFunc("GET /deployments/{id}/logs", h.page(h.logs))
	m.HandleFunc("GET /events", h.events)
	m.HandleFunc("GET /previews/{id}", h.page(h.preview))
	m.HandleFunc("GET /promotions/{id}", h.page(h.promotion))
	m.HandleFunc("POST /promotions/{id}/{decision}", h.page(h.decidePromotion))
	m.HandleFunc("GET /clusters", h.page(h.clusters))
	m.HandleFunc("GET /clusters/{id}", h.page(h.cluster))
	m.HandleFunc("GET /audit", h.page(h.audit))
	m.HandleFunc("GET /audit/export", h.page(h.auditExport))
	m.HandleFunc("GET /settings", h.page(h.settings))
	m.HandleFunc("POST /settings/api-keys", h.page(h.createAPIKey))
	m.HandleFunc("/", h.notFound)
	h.mux = m
}

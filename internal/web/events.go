package web

import (
	"net/http"
	"net/url"
	"strings"

	"github.com/usecapsule/capsule"
)

// events is the browser's way to the live events stream: GET /events is a
// same-origin, cookie-authenticated WebSocket that the UI hands to the
// API's GET /api/v1/events in process, with the session's access token as
// its bearer credential, so the browser never holds a token and the API's
// guard and per-event RBAC still decide. Cross-site use is refused three
// ways: the Origin must name this host, the session cookie is SameSite=Lax
// (browsers send none on a cross-site WebSocket), and the WebSocket
// library checks the Origin again.
func (h *Handler) events(w http.ResponseWriter, r *http.Request) {
	s := h.readSession(r)
	if s == nil {
		h.renderError(w, r, nil, &apiError{Status: http.StatusUnauthorized, Code: capsule.CodeUnauthenticated, Message: "sign in first"})
		return
	}
	if o := r.Header.Get("Origin"); o != "" {
		u, err := url.Parse(o)
		if err != nil || !strings.EqualFold(u.Host, r.Host) {
			h.renderError(w, r, nil, &apiError{Status: http.StatusForbidden, Code: capsule.CodeCrossSiteRequest, Message: "the events stream is for this site's pages only"})
			return
		}
	}
	if s.Expires.Sub(h.now()) < 0 {
		ns, err := h.refresh.do(r, s)
		if err != nil {
			h.renderError(w, r, nil, &apiError{Status: http.StatusUnauthorized, Code: capsule.CodeUnauthenticated, Message: "the session ended; sign in again"})
			return
		}
		s = ns
		if err := h.writeSession(w, r, s); err != nil {
			h.renderError(w, r, nil, err)
			return
		}
	}
	fwd := r.Clone(r.Context())
	fwd.URL.Path, fwd.RequestURI = "/api/v1/events", ""
	fwd.Header.Set("Authorization", "Bearer "+s.Access)
	h.api.ServeHTTP(w, fwd)
}

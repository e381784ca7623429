package httpapi

import (
	"net/http"
	"time"
)

// SignIn is one of the signed-in user's live sessions, as a list of
// "where you are signed in" shows it. ID is the sign-in's session family:
// the sid of its access tokens and what DELETE /auth/sessions/{sessionId}
// takes. The refresh token's hash never leaves the store.
type SignIn struct {
	ID         string    `json:"id"`
	SignedInAt time.Time `json:"signedInAt"`
	LastUsedAt time.Time `json:"lastUsedAt"` // the last refresh (or the sign-in)
	ExpiresAt  time.Time `json:"expiresAt"`
	UserAgent  string    `json:"userAgent,omitempty"`
	IP         string    `json:"ip,omitempty"`
	Current    bool      `json:"current"` // the session of the token making this request
}

// SignInList is the answer of GET /auth/sessions.
type SignInList struct {
	Items []SignIn `json:"items"`
}

func (a *API) listSessions(w http.ResponseWriter, r *http.Request) error {
	uid, err := selfUser(r)
	if err != nil {
		return err
	}
	ss, err := a.cfg.Store.ListLiveSessions(r.Context(), uid, a.now())
	if err != nil {
		return err
	}
	current := CallerFrom(r.Context()).SessionID
	out := SignInList{Items: make([]SignIn, 0, len(ss))}
	for _, s := range ss {
		out.Items = append(out.Items, SignIn{ID: s.FamilyID, SignedInAt: s.SignedInAt, LastUsedAt: s.CreatedAt,
			ExpiresAt: s.ExpiresAt, UserAgent: s.UserAgent, IP: s.IP, Current: s.FamilyID == current})
	}
	writeJSON(w, http.StatusOK, out)
	return nil
}

// revokeSession signs one of the caller's sessions out: its refresh token
// stops working at once and its access tokens within the liveness cache's
// bound, as on logout. Another user's session is a 404.
func (a *API) revokeSession(w http.ResponseWriter, r *http.Request) error {
	uid, err := selfUser(r)
	if err != nil {
		return err
	}
	if err := a.cfg.Store.RevokeUserSessionFamily(r.Context(), uid, r.PathValue("sessionId")); err != nil {
		return err
	}
	a.access.live.reset()
	return noContent(w)
}

package web

import (
	"errors"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"time"

	"github.com/usecapsule/capsule"
)

// Sign-in: the form posts email and password to POST /login, which calls
// the API's POST /api/v1/auth/login in process. An account with two-factor
// authentication answers MFA_REQUIRED; the UI then asks for the code and
// signs in again with it. Because the API's contract needs the password
// again with the code, the UI keeps the pending sign-in in this process's
// memory (never in a cookie or the page) for five minutes, under a random
// handle in an HttpOnly cookie; a second factor must therefore be posted
// to the replica that took the password (sticky sessions behind a load
// balancer), otherwise the user signs in again.

const mfaCookie = "capsule_mfa"
const ssoCookie = "capsule_sso"

type loginView struct {
	Next  string
	Email string
	Error string
	MFA   bool
	Org   string
}

// pendingLogin is a sign-in waiting for its second factor.
type pendingLogin struct {
	email, password, next string
	expires               time.Time
	tries                 int
}

type pendingLogins struct {
	now func() time.Time
	mu  sync.Mutex
	m   map[string]*pendingLogin
}

func newPendingLogins(now func() time.Time) *pendingLogins {
	return &pendingLogins{now: now, m: map[string]*pendingLogin{}}
}

func (p *pendingLogins) put(l *pendingLogin) string {
	p.mu.Lock()
	defer p.mu.Unlock()
	now := p.now()
	for k, v := range p.m {
		if now.After(v.expires) {
			delete(p.m, k)
		}
	}
	id := randomID()
	l.expires = now.Add(5 * time.Minute)
	p.m[id] = l
	return id
}

func (p *pendingLogins) get(id string) *pendingLogin {
	p.mu.Lock()
	defer p.mu.Unlock()
	l := p.m[id]
	if l == nil || p.now().After(l.expires) {
		delete(p.m, id)
		return nil
	}
	return l
}

func (p *pendingLogins) drop(id string) {
	p.mu.Lock()
	defer p.mu.Unlock()
	delete(p.m, id)
}

func (h *Handler) loginPage(w http.ResponseWriter, r *http.Request) {
	next := localPath(r.URL.Query().Get("next"))
	if h.readSession(r) != nil && r.URL.Query().Get("error") == "" {
		http.Redirect(w, r, next, http.StatusSeeOther)
		return
	}
	h.renderLogin(w, r, http.StatusOK, loginView{Next: next, Error: r.URL.Query().Get("error")})
}

func (h *Handler) renderLogin(w http.ResponseWriter, r *http.Request, status int, lv loginView) {
	id := h.preSession(w, r)
	v := view{Title: "Sign in", CSRF: h.csrfToken(id), Data: lv}
	if err := h.renderPage(w, status, "login", v); err != nil {
		h.renderError(w, r, nil, err)
	}
}

// preID is the pre-session id the sign-in form's token is bound to.
func preID(r *http.Request) string {
	if c, err := r.Cookie(preCookie); err == nil {
		return c.Value
	}
	return ""
}

func (h *Handler) csrfDenied(w http.ResponseWriter, r *http.Request) {
	h.renderError(w, r, nil, &apiError{Status: http.StatusForbidden, Code: capsule.CodeCSRFTokenInvalid, Message: "the form's CSRF token is missing or wrong; reload the page and try again"})
}

func (h *Handler) loginPost(w http.ResponseWriter, r *http.Request) {
	if !h.checkCSRF(r, preID(r)) {
		h.csrfDenied(w, r)
		return
	}
	email, pw := strings.TrimSpace(r.PostFormValue("email")), r.PostFormValue("password")
	next := localPath(r.PostFormValue("next"))
	if email == "" || pw == "" {
		h.renderLogin(w, r, http.StatusBadRequest, loginView{Next: next, Email: email, Error: "email and password are required"})
		return
	}
	err := h.signIn(w, r, map[string]string{"email": email, "password": pw}, next)
	var ae *apiError
	if errors.As(err, &ae) && ae.Code == capsule.CodeMFARequired {
		id := h.pending.put(&pendingLogin{email: email, password: pw, next: next})
		http.SetCookie(w, h.cookie(r, mfaCookie, id, 5*time.Minute))
		h.renderLogin(w, r, http.StatusOK, loginView{Next: next, Email: email, MFA: true})
		return
	}
	if err != nil {
		h.renderLogin(w, r, statusOf(err), loginView{Next: next, Email: email, Error: messageOf(err)})
	}
}

func (h *Handler) mfaPost(w http.ResponseWriter, r *http.Request) {
	if !h.checkCSRF(r, preID(r)) {
		h.csrfDenied(w, r)
		return
	}
	c, _ := r.Cookie(mfaCookie)
	var l *pendingLogin
	if c != nil {
		l = h.pending.get(c.Value)
	}
	if l == nil {
		h.renderLogin(w, r, http.StatusUnauthorized, loginView{Next: "/", Error: "the sign-in waited too long for its code; sign in again"})
		return
	}
	code := strings.TrimSpace(r.PostFormValue("code"))
	body := map[string]string{"email": l.email, "password": l.password}
	if len(code) > 8 || strings.Contains(code, "-") {
		body["recoveryCode"] = code
	} else {
		body["otp"] = code
	}
	err := h.signIn(w, r, body, l.next)
	if err == nil {
		h.pending.drop(c.Value)
		http.SetCookie(w, h.cookie(r, mfaCookie, "", -1))
		return
	}
	if l.tries++; l.tries >= 5 {
		h.pending.drop(c.Value)
	}
	h.renderLogin(w, r, statusOf(err), loginView{Next: l.next, Email: l.email, MFA: l.tries < 5, Error: messageOf(err)})
}

// signIn calls the API's login and, on success, sets the session cookie
// and redirects to next.
func (h *Handler) signIn(w http.ResponseWriter, r *http.Request, body map[string]string, next string) error {
	res, err := h.callAPI(r.Context(), r, "POST", "/api/v1/auth/login", "", body)
	if err != nil {
		return err
	}
	if ra := res.header.Get("Retry-After"); ra != "" {
		w.Header().Set("Retry-After", ra)
	}
	var t tokenAnswer
	if err := res.decode(&t); err != nil {
		return err
	}
	return h.startSession(w, r, t, next)
}

func (h *Handler) startSession(w http.ResponseWriter, r *http.Request, t tokenAnswer, next string) error {
	if err := h.writeSession(w, r, h.newSession(t, "")); err != nil {
		return err
	}
	http.SetCookie(w, h.cookie(r, preCookie, "", -1))
	http.Redirect(w, r, localPath(next), http.StatusSeeOther)
	return nil
}

// logout revokes the session through the API and forgets the cookie.
func (h *Handler) logout(pc *pageCtx) error {
	if err := pc.api("POST", "/api/v1/auth/logout", nil, nil); err != nil {
		var ae *apiError
		if !errors.As(err, &ae) || ae.Status != http.StatusUnauthorized {
			return err
		}
	}
	h.clearSession(pc.w, pc.r)
	return pc.redirect("/login")
}

// ssoStart begins single sign-on for an organization through the API's
// start route; its callback comes back to the API's callback path, which
// the UI answers itself when the browser carries the UI's SSO cookie (see
// ownsSSOCallback), turning the tokens into a session.
func (h *Handler) ssoStart(w http.ResponseWriter, r *http.Request) {
	org := strings.TrimSpace(r.URL.Query().Get("org"))
	next := localPath(r.URL.Query().Get("next"))
	if org == "" {
		h.renderLogin(w, r, http.StatusBadRequest, loginView{Next: next, Error: "org: the organization's slug is required for single sign-on"})
		return
	}
	res, err := h.callAPI(r.Context(), r, "GET", "/api/v1/auth/sso/"+url.PathEscape(org)+"/login", "", nil)
	if err == nil && res.status != http.StatusFound {
		err = res.decode(nil)
	}
	if err != nil {
		h.renderLogin(w, r, statusOf(err), loginView{Next: next, Org: org, Error: messageOf(err)})
		return
	}
	http.SetCookie(w, h.cookie(r, ssoCookie, url.QueryEscape(next), 10*time.Minute))
	http.Redirect(w, r, res.header.Get("Location"), http.StatusFound)
}

// ownsSSOCallback reports whether a request is the identity provider's
// return to a sign-on the UI started.
func (h *Handler) ownsSSOCallback(r *http.Request) bool {
	if r.Method != http.MethodGet || r.URL.Path != "/api/v1/auth/sso/callback" {
		return false
	}
	_, err := r.Cookie(ssoCookie)
	return err == nil
}

func (h *Handler) ssoCallback(w http.ResponseWriter, r *http.Request) {
	c, _ := r.Cookie(ssoCookie)
	next := "/"
	if c != nil {
		if n, err := url.QueryUnescape(c.Value); err == nil {
			next = n
		}
	}
	http.SetCookie(w, h.cookie(r, ssoCookie, "", -1))
	res, err := h.callAPI(r.Context(), r, "GET", r.URL.RequestURI(), "", nil)
	var t tokenAnswer
	if err == nil {
		err = res.decode(&t)
	}
	if err == nil {
		err = h.startSession(w, r, t, next)
	}
	if err != nil {
		h.renderLogin(w, r, statusOf(err), loginView{Next: localPath(next), Error: messageOf(err)})
	}
}

func statusOf(err error) int {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Status
	}
	return http.StatusInternalServerError
}

func messageOf(err error) string {
	var ae *apiError
	if errors.As(err, &ae) {
		return ae.Message
	}
	return "something went wrong on the server"
}

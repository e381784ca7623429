package web

import (
	"crypto/aes"
	"crypto/cipher"
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"encoding/json"
	"errors"
	"net/http"
	"time"
)

// Cookie names. The session cookie holds the sealed tokens; the pre-session
// cookie only binds the sign-in form's CSRF token before a session exists;
// the organization cookie remembers the organization switcher's choice.
const (
	sessionCookie = "capsule_session"
	preCookie     = "capsule_pre"
	orgCookie     = "capsule_org"
)

// session is what the session cookie holds, sealed: the API tokens, when
// the access token expires, and a random id the CSRF token is bound to.
type session struct {
	ID      string    `json:"i"`
	Access  string    `json:"a"`
	Refresh string    `json:"r"`
	Expires time.Time `json:"e"`
}

// sealer encrypts and authenticates cookie values (AES-256-GCM).
type sealer struct{ aead cipher.AEAD }

func newSealer(key []byte) (*sealer, error) {
	b, err := aes.NewCipher(key)
	if err != nil {
		return nil, err
	}
	g, err := cipher.NewGCM(b)
	if err != nil {
		return nil, err
	}
	return &sealer{aead: g}, nil
}

func (s *sealer) seal(v any) (string, error) {
	p, err := json.Marshal(v)
	if err != nil {
		return "", err
	}
	nonce := make([]byte, s.aead.NonceSize())
	if _, err := rand.Read(nonce); err != nil {
		return "", err
	}
	return base64.RawURLEncoding.EncodeToString(s.aead.Seal(nonce, nonce, p, []byte(sessionCookie))), nil
}

func (s *sealer) open(text string, v any) error {
	b, err := base64.RawURLEncoding.DecodeString(text)
	if err != nil || len(b) < s.aead.NonceSize() {
		return errors.New("web: malformed session cookie")
	}
	n := s.aead.NonceSize()
	p, err := s.aead.Open(nil, b[:n], b[n:], []byte(sessionCookie))
	if err != nil {
		return errors.New("web: session cookie does not open")
	}
	return json.Unmarshal(p, v)
}

// randomID returns 128 random bits, URL-safe.
func randomID() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// readSession opens the request's session cookie; nil when there is none
// or it does not open.
func (h *Handler) readSession(r *http.Request) *session {
	c, err := r.Cookie(sessionCookie)
	if err != nil || c.Value == "" {
		return nil
	}
	var s session
	if h.seal.open(c.Value, &s) != nil || s.ID == "" || s.Access == "" {
		return nil
	}
	return &s
}

// writeSession sets the session cookie. It lives as long as a refresh token
// could; the API decides whether the tokens inside still work.
func (h *Handler) writeSession(w http.ResponseWriter, r *http.Request, s *session) error {
	v, err := h.seal.seal(s)
	if err != nil {
		return err
	}
	http.SetCookie(w, h.cookie(r, sessionCookie, v, 30*24*time.Hour))
	return nil
}

// cookie returns a cookie with the UI's flags: HttpOnly, SameSite=Lax,
// path /, Secure when the request came over TLS. maxAge < 0 deletes it.
func (h *Handler) cookie(r *http.Request, name, value string, maxAge time.Duration) *http.Cookie {
	c := &http.Cookie{Name: name, Value: value, Path: "/", HttpOnly: true, SameSite: http.SameSiteLaxMode,
		Secure: r.TLS != nil, MaxAge: int(maxAge.Seconds())}
	if maxAge < 0 {
		c.MaxAge, c.Value = -1, ""
	}
	return c
}

func (h *Handler) clearSession(w http.ResponseWriter, r *http.Request) {
	http.SetCookie(w, h.cookie(r, sessionCookie, "", -1))
}

// csrfToken is the CSRF token of a session or pre-session id: an HMAC of
// the id, so it needs no storage and a token of one session is worthless
// in another.
func (h *Handler) csrfToken(id string) string {
	m := hmac.New(sha256.New, h.csrfKey)
	m.Write([]byte("csrf\x00"))
	m.Write([]byte(id))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// checkCSRF compares the form's token with the one bound to id, in
// constant time. An empty id (no session) never passes.
func (h *Handler) checkCSRF(r *http.Request, id string) bool {
	if id == "" {
		return false
	}
	got := r.PostFormValue("csrf_token")
	return hmac.Equal([]byte(got), []byte(h.csrfToken(id)))
}

// preSession returns the pre-session id of the request, setting a new one
// on w when the browser has none (the sign-in form's CSRF binding).
func (h *Handler) preSession(w http.ResponseWriter, r *http.Request) string {
	if c, err := r.Cookie(preCookie); err == nil && len(c.Value) >= 16 && len(c.Value) <= 64 {
		return c.Value
	}
	id := randomID()
	http.SetCookie(w, h.cookie(r, preCookie, id, time.Hour))
	return id
}

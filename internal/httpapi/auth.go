package httpapi

import (
	"crypto/rand"
	"encoding/hex"
	"math"
	"net/http"
	"strings"
	"sync"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity/opaque"
	"github.com/usecapsule/capsule/internal/identity/password"
)

// LoginRequest is the body of POST /auth/login. A user with MFA adds one
// second factor: the current TOTP code (otp) or an unused recovery code.
type LoginRequest struct {
	Email        string `json:"email"`
	Password     string `json:"password"`
	OTP          string `json:"otp,omitempty"`
	RecoveryCode string `json:"recoveryCode,omitempty"`
}

// RefreshRequest is the body of POST /auth/refresh.
type RefreshRequest struct {
	RefreshToken string `json:"refresh_token"`
}

// TokenResponse carries a new access and refresh token (OAuth 2 field names,
// so standard clients understand it).
type TokenResponse struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	TokenType    string `json:"token_type"`
	ExpiresIn    int    `json:"expires_in"` // seconds
}

// Me is the signed-in user with their organization memberships.
type Me struct {
	capsule.User
	Memberships []capsule.Member `json:"memberships"`
}

// decoyHash is a hash of a random password with the default parameters,
// verified against when the email is unknown.
var decoyHash = sync.OnceValue(func() string {
	b := make([]byte, 16)
	_, _ = rand.Read(b)
	h, _ := password.Hash(hex.EncodeToString(b))
	return h
})

func unauthenticated(msg string) error {
	return capsule.Errorf(capsule.KindUnauthenticated, capsule.CodeUnauthenticated, "%s", msg)
}

// errBadCredentials is deliberately the same for an unknown email and a
// wrong password, so login cannot be used to discover accounts.
var errBadCredentials = capsule.Errorf(capsule.KindUnauthenticated, capsule.CodeInvalidCredentials, "email or password is wrong")

// authenticate verifies the bearer token, checks that its session is still
// live, and loads the caller's memberships. The signature is checked
// without a database read (HMAC); the session check and the memberships
// cost one indexed query each, the first behind a sub-second cache.
// errUserDisabled answers the right password of a disabled user: telling
// them (and only someone who knows the password) why saves a support call.
var errUserDisabled = capsule.Errorf(capsule.KindForbidden, capsule.CodeUserDisabled, "this user is disabled; ask an administrator to enable it")

func (a *API) authenticate(r *http.Request) (*Caller, error) {
	h := r.Header.Get("Authorization")
	scheme, tok, ok := strings.Cut(h, " ")
	if h == "" {
		return nil, unauthenticated("authentication required: send Authorization: Bearer <access token> (POST /api/v1/auth/login)")
	}
	if !ok || !strings.EqualFold(scheme, "Bearer") || tok == "" {
		return nil, unauthenticated("the Authorization header must be \"Bearer <access token>\"")
	}
	claims, err := a.tokens.verify(a.cfg.Tokens, strings.TrimSpace(tok), a.now())
	if err != nil {
		return nil, unauthenticated("the access token is invalid or expired; refresh it or sign in again")
	}
	if err := a.access.sessionLive(r.Context(), claims.SessionID, claims.UserID, a.now()); err != nil {
		return nil, err
	}
	ms, err := a.memberships(r, claims.UserID)
	if err != nil {
		return nil, err
	}
	return &Caller{UserID: claims.UserID, SessionID: claims.SessionID, Memberships: ms}, nil
}

func (a *API) login(w http.ResponseWriter, r *http.Request) error {
	var req LoginRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var v capsule.Validation
	if req.Email == "" {
		v.Add("email", "is required")
	}
	if req.Password == "" {
		v.Add("password", "is required")
	}
	if err := v.Err(); err != nil {
		return err
	}
	u, err := a.cfg.Store.FindUserByEmail(r.Context(), strings.TrimSpace(req.Email))
	if capsule.IsNotFound(err) || (err == nil && u.PasswordHash == "") {
		// Spend the time a real check takes, so response times do not
		// reveal which emails have accounts.
		_, _ = password.Verify(decoyHash(), req.Password)
		return errBadCredentials
	}
	if err != nil {
		return err
	}
	match, err := password.Verify(u.PasswordHash, req.Password)
	if err != nil {
		return err
	}
	if !match {
		return errBadCredentials
	}
	if u.DisabledAt != nil {
		return errUserDisabled
	}
	// The second factor is checked before anything is written, so the
	// sign-in's audit entry (see access.login) commits with the session it
	// creates and a missing or wrong code leaves no session behind. Using
	// up a code is bookkeeping beside that change.
	ids := a.access.ids
	if err := a.access.checkSecondFactor(ids.WithoutAuditUnit(r.Context()), u.ID,
		MFACodeRequest{Code: req.OTP, RecoveryCode: req.RecoveryCode}); err != nil {
		return err
	}
	refresh, hash, err := newRefreshToken()
	if err != nil {
		return err
	}
	s := &capsule.Session{ID: newRequestID(), UserID: u.ID, TokenHash: hash, UserAgent: r.UserAgent(),
		IP: r.RemoteAddr, CreatedAt: a.now(), ExpiresAt: a.now().Add(a.cfg.RefreshTTL)}
	s.FamilyID = s.ID
	if err := a.cfg.Store.CreateSession(r.Context(), s); err != nil {
		return err
	}
	if err := a.cfg.Store.TouchUserLogin(ids.WithoutAuditUnit(r.Context()), u.ID, a.now()); err != nil {
		a.access.log.ErrorContext(r.Context(), "recording the sign-in time", "error", err.Error())
	}
	return a.writeTokens(w, u.ID, s.FamilyID, refresh)
}

// refresh rotates a refresh token. Presenting a token that was already
// rotated means it was copied: the whole family is revoked (RFC 9700 4.14.2).
func (a *API) refresh(w http.ResponseWriter, r *http.Request) error {
	var req RefreshRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	if req.RefreshToken == "" {
		return invalid(capsule.CodeValidation, "refresh_token", "is required")
	}
	old, err := a.cfg.Store.FindSessionByTokenHash(r.Context(), hashToken(req.RefreshToken))
	if capsule.IsNotFound(err) {
		return unauthenticated("the refresh token is not valid; sign in again")
	}
	if err != nil {
		return err
	}
	if old.ReplacedBy != "" {
		// Theft detected: the revoke is the defence, audited as the refused
		// refresh, not committed as a refresh that succeeded.
		if err := a.cfg.Store.RevokeSessionFamily(a.access.ids.WithoutAuditUnit(r.Context()), old.FamilyID); err != nil {
			return err
		}
		a.access.live.reset()
		return unauthenticated("the refresh token was already used; every session of this sign-in is revoked, sign in again")
	}
	if old.RevokedAt != nil || !a.now().Before(old.ExpiresAt) {
		return unauthenticated("the refresh token is revoked or expired; sign in again")
	}
	refresh, hash, err := newRefreshToken()
	if err != nil {
		return err
	}
	next := &capsule.Session{ID: newRequestID(), UserID: old.UserID, FamilyID: old.FamilyID, TokenHash: hash,
		UserAgent: r.UserAgent(), IP: r.RemoteAddr, CreatedAt: a.now(), ExpiresAt: a.now().Add(a.cfg.RefreshTTL)}
	if err := a.cfg.Store.RotateSession(r.Context(), old.ID, next); err != nil {
		if capsule.ErrorKind(err) == capsule.KindConflict {
			// A replayed token: revoking its family is the defence, not the
			// refresh the request's audit entry would record as done.
			_ = a.cfg.Store.RevokeSessionFamily(a.access.ids.WithoutAuditUnit(r.Context()), old.FamilyID)
			a.access.live.reset()
			return unauthenticated("the refresh token was already used; sign in again")
		}
		return err
	}
	return a.writeTokens(w, old.UserID, old.FamilyID, refresh)
}

// writeTokens answers with a new access token whose sid is the session
// family, so logout can revoke the family from the access token alone.
func (a *API) writeTokens(w http.ResponseWriter, userID, familyID, refresh string) error {
	now := a.now()
	access, exp, err := a.cfg.Tokens.Issue(userID, familyID, now)
	if err != nil {
		return err
	}
	w.Header().Set("Cache-Control", "no-store")
	// The token's exp is whole seconds (now truncated + TTL), so exp-now lies in
	// (TTL-1s, TTL]; rounding up reports the lifetime (900 for 15 minutes)
	// instead of 899.
	writeJSON(w, http.StatusOK, TokenResponse{AccessToken: access, RefreshToken: refresh, TokenType: "Bearer",
		ExpiresIn: int(math.Ceil(exp.Sub(now).Seconds()))})
	return nil
}

func (a *API) logout(w http.ResponseWriter, r *http.Request) error {
	if err := a.cfg.Store.RevokeSessionFamily(r.Context(), CallerFrom(r.Context()).SessionID); err != nil && !capsule.IsNotFound(err) {
		return err
	}
	a.access.live.reset()
	return noContent(w)
}

func me(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		c := CallerFrom(r.Context())
		u, err := st.FindUser(r.Context(), c.UserID)
		if capsule.IsNotFound(err) {
			return unauthenticated("the user of this token no longer exists")
		}
		if err != nil {
			return err
		}
		ms := c.Memberships
		if ms == nil {
			ms = []capsule.Member{}
		}
		writeJSON(w, http.StatusOK, Me{User: *u, Memberships: ms})
		return nil
	}
}

// newRefreshToken returns a random refresh token and the hash stored for it.
// 32 random bytes need no slow hash: SHA-256 cannot be brute-forced back.
func newRefreshToken() (tok, hash string, err error) {
	if tok, err = opaque.New(""); err != nil {
		return "", "", err
	}
	return tok, opaque.Hash(tok), nil
}

func hashToken(tok string) string { return opaque.Hash(tok) }

package httpapi

import (
	"bytes"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identity"
)

// servePublic runs a public route. Authentication routes are rate limited
// per client address (login more strictly) and audited; sign-in is also
// throttled by failures, per (account, client address) and per client
// address (see throttleKeys), never per account alone: a guesser elsewhere
// must not lock the account's owner out.
func (ac *access) servePublic(w http.ResponseWriter, r *http.Request, rt Route, next http.Handler) {
	if rt.Path == "/api/v1/agents/register" {
		// A join token cannot be guessed, but an unauthenticated write is
		// still limited per address like the other anonymous routes.
		if err := limitWith(w, ac.ips, "ip:"+clientIP(r), ac.now()); err != nil {
			ac.record(r, rt, nil, target{}, audit.OutcomeDenied)
			writeError(w, r, ac.log, err)
			return
		}
	}
	if !strings.HasPrefix(rt.Path, "/api/v1/auth/") {
		next.ServeHTTP(w, r)
		return
	}
	ip := clientIP(r)
	limiter := ac.ips
	if rt.Path == "/api/v1/auth/login" {
		limiter = ac.logins
	}
	if err := limitWith(w, limiter, "ip:"+ip, ac.now()); err != nil {
		ac.record(r, rt, nil, target{}, audit.OutcomeDenied)
		writeError(w, r, ac.log, err)
		return
	}
	if rt.Path != "/api/v1/auth/login" {
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, r)
		ac.record(r, rt, nil, target{}, outcomeOf(rec.status))
		return
	}
	if err := ac.login(w, r, rt, next, ip); err != nil {
		writeError(w, r, ac.log, err)
	}
}

// throttleKey is a sign-in failure counter and its policy.
type throttleKey struct {
	key    string
	policy identity.Throttle
}

// throttleKeys are the counters a sign-in from ip for email spends: the
// pair's, with few free failures and growing delays, and the address's,
// with a bound generous enough for many people behind one NAT. A correct
// password resets only the pair: an attacker signing in to an account of
// their own does not wipe their address's record.
func (ac *access) throttleKeys(email, ip string) []throttleKey {
	keys := []throttleKey{{"ip:" + ip, ac.addrThrottle}}
	if email != "" {
		keys = append(keys, throttleKey{"pair:" + email + "|" + ip, ac.pairThrottle})
	}
	return keys
}

// login runs the sign-in route under the throttle; it returns only errors
// of its own (throttled, database), the route's response is already written.
func (ac *access) login(w http.ResponseWriter, r *http.Request, rt Route, next http.Handler, ip string) error {
	ctx := r.Context()
	email, second := loginFields(r)
	keys := ac.throttleKeys(email, ip)
	t := target{entity: "user", id: email}
	now := ac.now()
	for _, k := range keys {
		until, err := ac.ids.LockedUntil(ctx, k.key, now)
		if err != nil {
			return err
		}
		if !until.IsZero() {
			ac.record(r, rt, nil, t, audit.OutcomeDenied, map[string]string{"reason": "throttled"})
			return lockedError(w, until.Sub(now))
		}
	}
	// The response is held back until the second factor is checked, so a
	// password alone never hands out tokens for an account with MFA.
	buf := newBufferedResponse()
	next.ServeHTTP(buf, r)
	switch {
	case buf.status == http.StatusUnauthorized:
		ac.loginFailed(r, rt, t, keys, "bad credentials")
		buf.flush(w)
		return nil
	case buf.status >= 400:
		ac.record(r, rt, nil, t, outcomeOf(buf.status))
		buf.flush(w)
		return nil
	}
	u, err := ac.store.FindUserByEmail(ctx, email)
	if err != nil {
		return err
	}
	if err := ac.checkSecondFactor(ctx, u.ID, second); err != nil {
		ac.revokeIssued(r, buf)
		if capsule.ErrorKind(err) == capsule.KindUnauthenticated && err != errMFARequired {
			ac.loginFailed(r, rt, t, keys, "bad second factor")
		} else {
			ac.record(r, rt, nil, t, audit.OutcomeDenied, map[string]string{"reason": "second factor required"})
		}
		return err
	}
	if len(keys) > 1 {
		_ = ac.ids.ClearLoginFailures(ctx, keys[1].key) // the pair's, never the address's
	}
	ac.recordLogin(r, rt, email, t)
	buf.flush(w)
	return nil
}

// loginFailed counts a failed sign-in against its throttle keys and
// audits it.
func (ac *access) loginFailed(r *http.Request, rt Route, t target, keys []throttleKey, reason string) {
	summary := map[string]string{"reason": reason}
	for _, k := range keys {
		if until, err := ac.ids.RecordLoginFailure(r.Context(), k.key, ac.now(), k.policy); err != nil {
			ac.log.ErrorContext(r.Context(), "recording login failure", "error", err.Error())
		} else if !until.IsZero() {
			summary["throttledUntil"] = until.UTC().Format(time.RFC3339)
		}
	}
	ac.record(r, rt, nil, t, audit.OutcomeFailure, summary)
}

// revokeIssued revokes the session the password step created when the
// second factor then fails.
func (ac *access) revokeIssued(r *http.Request, buf *bufferedResponse) {
	var tok TokenResponse
	if json.Unmarshal(buf.body.Bytes(), &tok) != nil || tok.RefreshToken == "" {
		return
	}
	s, err := ac.store.FindSessionByTokenHash(r.Context(), hashToken(tok.RefreshToken))
	if err == nil {
		err = ac.store.RevokeSessionFamily(r.Context(), s.FamilyID)
	}
	ac.live.reset()
	if err != nil {
		ac.log.ErrorContext(r.Context(), "revoking a half-finished sign-in", "error", err.Error())
	}
}

// recordLogin audits a successful sign-in with the user as the actor.
func (ac *access) recordLogin(r *http.Request, rt Route, email string, t target) {
	p := (*principal)(nil)
	if u, err := ac.store.FindUserByEmail(r.Context(), email); err == nil {
		p = &principal{caller: &Caller{UserID: u.ID}}
		t.id = u.ID
	}
	ac.record(r, rt, p, t, audit.OutcomeSuccess)
}

func lockedError(w http.ResponseWriter, wait time.Duration) error {
	secs := max(1, int(wait.Seconds()+0.999))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &capsule.Error{Kind: capsule.KindRateLimited, Code: capsule.CodeLoginThrottled,
		Message: "too many failed sign-ins from this address; try again in " + (time.Duration(secs) * time.Second).String(),
		Details: map[string]any{"retryAfterSeconds": secs}}
}

// loginFields reads the email (lower-cased, as the user store compares it)
// and the second factor of a login body.
func loginFields(r *http.Request) (string, MFACodeRequest) {
	var req LoginRequest
	if json.Unmarshal(peekBody(r), &req) != nil {
		return "", MFACodeRequest{}
	}
	return strings.ToLower(strings.TrimSpace(req.Email)), MFACodeRequest{Code: req.OTP, RecoveryCode: req.RecoveryCode}
}

// bufferedResponse holds a response until the caller decides to send it.
type bufferedResponse struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func newBufferedResponse() *bufferedResponse { return &bufferedResponse{header: http.Header{}} }

// Header returns the held headers.
func (b *bufferedResponse) Header() http.Header { return b.header }

// WriteHeader holds the first status.
func (b *bufferedResponse) WriteHeader(code int) {
	if b.status == 0 {
		b.status = code
	}
}

// Write holds the body.
func (b *bufferedResponse) Write(p []byte) (int, error) {
	if b.status == 0 {
		b.status = http.StatusOK
	}
	return b.body.Write(p)
}

func (b *bufferedResponse) flush(w http.ResponseWriter) {
	for k, v := range b.header {
		w.Header()[k] = v
	}
	if b.status == 0 {
		b.status = http.StatusOK
	}
	w.WriteHeader(b.status)
	_, _ = w.Write(b.body.Bytes())
}

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
	if rt.Path == "/api/v1/agents/register" || strings.HasPrefix(rt.Path, "/api/v1/hooks/") {
		// A join token cannot be guessed, but an unauthenticated write is
		// still limited per address like the other anonymous routes (a Git
		// delivery is logged even when refused).
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
		// Refresh rotates a session, single sign-on creates one: the entry
		// commits with that change, as on authenticated routes.
		hr, unit := ac.openUnit(r, rt, nil, target{}, nil, nil)
		rec := &statusRecorder{ResponseWriter: w}
		next.ServeHTTP(rec, hr)
		ac.recordWrite(r, rt, nil, target{}, rec, nil, nil, unit)
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
	email := loginEmail(r)
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
	// The success entry commits in the transaction that creates the
	// session; the handler checks the second factor before writing anything.
	var p *principal
	ts := t
	if u, err := ac.store.FindUserByEmail(ctx, email); err == nil {
		p, ts.id = &principal{caller: &Caller{UserID: u.ID}}, u.ID
	}
	hr, unit := ac.openUnit(r, rt, p, ts, nil, nil)
	buf := newBufferedResponse()
	next.ServeHTTP(buf, hr)
	code := errorCode(buf.body.Bytes())
	switch {
	case buf.status == http.StatusUnauthorized && code == capsule.CodeMFARequired:
		ac.record(r, rt, nil, t, audit.OutcomeDenied, map[string]string{"reason": "second factor required"})
	case buf.status == http.StatusUnauthorized && code == capsule.CodeInvalidMFACode:
		ac.loginFailed(r, rt, t, keys, "bad second factor")
	case buf.status == http.StatusUnauthorized:
		ac.loginFailed(r, rt, t, keys, "bad credentials")
	case buf.status >= 400:
		ac.record(r, rt, nil, t, outcomeOf(buf.status))
	default:
		if len(keys) > 1 {
			_ = ac.ids.ClearLoginFailures(ctx, keys[1].key) // the pair's, never the address's
		}
		if _, ok := unit.Committed(); !ok {
			ac.record(r, rt, p, ts, audit.OutcomeSuccess)
		}
	}
	buf.flush(w)
	return nil
}

// errorCode is the code of an error response body, or "".
func errorCode(body []byte) string {
	var e struct {
		Error struct {
			Code string `json:"code"`
		} `json:"error"`
	}
	_ = json.Unmarshal(body, &e)
	return e.Error.Code
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

func lockedError(w http.ResponseWriter, wait time.Duration) error {
	secs := max(1, int(wait.Seconds()+0.999))
	w.Header().Set("Retry-After", strconv.Itoa(secs))
	return &capsule.Error{Kind: capsule.KindRateLimited, Code: capsule.CodeLoginThrottled,
		Message: "too many failed sign-ins from this address; try again in " + (time.Duration(secs) * time.Second).String(),
		Details: map[string]any{"retryAfterSeconds": secs}}
}

// loginEmail reads the email of a login body, lower-cased as the user
// store compares it.
func loginEmail(r *http.Request) string {
	var req LoginRequest
	if json.Unmarshal(peekBody(r), &req) != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(req.Email))
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

package httpapi

import (
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
)

// servePublic runs a public route. Authentication routes are rate limited
// per client IP (login more strictly) and audited; sign-in additionally
// enforces the lockout: five failures lock the account and, separately, the
// client IP for fifteen minutes, and a correct password during a lock is
// refused too (otherwise the lock would only slow a guesser down).
func (ac *access) servePublic(w http.ResponseWriter, r *http.Request, rt Route, next http.Handler) {
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

// login runs the sign-in route under the lockout; it returns only errors of
// its own (lockout, database), the route's response is already written.
func (ac *access) login(w http.ResponseWriter, r *http.Request, rt Route, next http.Handler, ip string) error {
	ctx := r.Context()
	email := loginEmail(r)
	keys := []string{"ip:" + ip}
	if email != "" {
		keys = append(keys, "user:"+email)
	}
	t := target{entity: "user", id: email}
	now := ac.now()
	for _, k := range keys {
		until, err := ac.ids.LockedUntil(ctx, k, now)
		if err != nil {
			return err
		}
		if !until.IsZero() {
			ac.record(r, rt, nil, t, audit.OutcomeDenied, map[string]string{"reason": "locked out"})
			return lockedError(w, until.Sub(now))
		}
	}
	rec := &statusRecorder{ResponseWriter: w}
	next.ServeHTTP(rec, r)
	if rec.status != http.StatusUnauthorized {
		if rec.status < 400 {
			for _, k := range keys {
				_ = ac.ids.ClearLoginFailures(ctx, k)
			}
			ac.recordLogin(r, rt, email, t)
			return nil
		}
		ac.record(r, rt, nil, t, outcomeOf(rec.status))
		return nil
	}
	summary := map[string]string{"reason": "bad credentials"}
	for _, k := range keys {
		if until, ferr := ac.ids.RecordLoginFailure(ctx, k, now); ferr != nil {
			ac.log.ErrorContext(ctx, "recording login failure", "error", ferr.Error())
		} else if !until.IsZero() {
			summary["lockedUntil"] = until.UTC().Format(time.RFC3339)
		}
	}
	ac.record(r, rt, nil, t, audit.OutcomeFailure, summary)
	return nil
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
	return &capsule.Error{Kind: capsule.KindRateLimited, Code: "ACCOUNT_LOCKED",
		Message: "too many failed sign-ins; try again in " + (time.Duration(secs) * time.Second).String(),
		Details: map[string]any{"retryAfterSeconds": secs}}
}

// loginEmail reads the email of a login body (lower-cased, as the user
// store compares it) and puts the body back.
func loginEmail(r *http.Request) string {
	data := peekBody(r)
	var req LoginRequest
	if json.Unmarshal(data, &req) != nil {
		return ""
	}
	return strings.ToLower(strings.TrimSpace(req.Email))
}

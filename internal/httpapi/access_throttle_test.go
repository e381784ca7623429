package httpapi_test

import (
	"bytes"
	"net/http"
	"net/netip"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/rbac"
)

// loginFrom signs in with a forwarding header naming the client address.
func loginFrom(t *testing.T, e *env, addr, email, pw string) (int, []byte, http.Header) {
	t.Helper()
	req, _ := http.NewRequest("POST", e.srv.URL+"/api/v1/auth/login", strings.NewReader(`{"email":"`+email+`","password":"`+pw+`"}`))
	req.Header.Set("Content-Type", "application/json")
	if addr != "" {
		req.Header.Set("X-Forwarded-For", addr)
	}
	resp, err := e.srv.Client().Do(req)
	must(t, err)
	defer resp.Body.Close()
	var b bytes.Buffer
	_, _ = b.ReadFrom(resp.Body)
	return resp.StatusCode, b.Bytes(), resp.Header
}

// TestLoginThrottlePerAccountAndAddress: a guesser's failures delay the
// guesser's address ever longer, but never the account's owner signing in
// from elsewhere, nor another account from the guesser's address until the
// address's own (generous) bound.
func TestLoginThrottlePerAccountAndAddress(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		clk := &clock{t: time.Now().UTC()}
		tm := newTeam(t, dsn, func(c *httpapi.Config) {
			c.Now = clk.Now
			c.Access.TrustedProxies = []netip.Prefix{netip.MustParsePrefix("127.0.0.0/8")}
			c.Access.AddressThrottle = identitystore.Throttle{Free: 12, MaxDelay: time.Hour}
		})
		e := tm.e
		victim, other := rbac.Viewer+"-member@example.com", rbac.Developer+"-member@example.com"
		const attacker, owner = "203.0.113.9", "198.51.100.7"
		failures, throttled, lastWait := 0, 0, 0
		for range 10 {
			status, body, h := loginFrom(t, e, attacker, victim, "not the password")
			switch {
			case status == http.StatusUnauthorized:
				failures++
			case status == http.StatusTooManyRequests && errorCode(body) == "LOGIN_THROTTLED":
				throttled++
				wait := atoi(t, h.Get("Retry-After"))
				if wait <= lastWait {
					t.Fatalf("delay did not grow: Retry-After %d after %d", wait, lastWait)
				}
				lastWait = wait
				clk.Add(time.Duration(wait) * time.Second) // wait it out, then guess again
			default:
				t.Fatalf("attacker's attempt: %d %s", status, body)
			}
		}
		if failures < 4 || throttled < 3 || lastWait < 4 {
			t.Fatalf("%d failures, %d throttled, last delay %ds: want a growing delay", failures, throttled, lastWait)
		}
		// Right now, the attacker's address is still refused, even with the right password...
		if status, body, h := loginFrom(t, e, attacker, victim, adminPassword); status != http.StatusTooManyRequests || h.Get("Retry-After") == "" {
			t.Fatalf("attacker's address with the right password: %d %s", status, body)
		}
		// ...while the owner, from their own address, signs in at once.
		if status, body, _ := loginFrom(t, e, owner, victim, adminPassword); status != http.StatusOK {
			t.Fatalf("owner from another address: %d %s", status, body)
		}
		// Another account from the attacker's address is not throttled...
		if status, body, _ := loginFrom(t, e, attacker, other, adminPassword); status != http.StatusOK {
			t.Fatalf("other account from the attacker's address: %d %s", status, body)
		}
		// ...until the address's own bound: spraying many accounts stops.
		for i := 0; ; i++ {
			email := []string{other, rbac.Admin + "-member@example.com", adminEmail}[i%3]
			status, body, _ := loginFrom(t, e, attacker, email, "not the password")
			if status == http.StatusTooManyRequests {
				break
			}
			if status != http.StatusUnauthorized || i > 12 {
				t.Fatalf("spray attempt %d: %d %s", i+1, status, body)
			}
			if i%3 == 2 {
				clk.Add(2 * time.Second) // stay under each pair's delay
			}
		}
		denied := 0
		for _, en := range tm.allAudit(t) {
			if en.Action == "auth.login" && en.Outcome == audit.OutcomeDenied {
				denied++
			}
		}
		if denied < throttled+1 {
			t.Errorf("%d denied sign-ins audited, want ≥ %d", denied, throttled+1)
		}
	})
}

// TestForwardedHeadersNeedTrustedProxy: without --trusted-proxies, a
// client cannot escape its throttle by sending a new X-Forwarded-For.
func TestForwardedHeadersNeedTrustedProxy(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t))
	victim := rbac.Viewer + "-member@example.com"
	for i := range 4 {
		if status, body, _ := loginFrom(t, tm.e, "203.0.113."+itoa(i), victim, "wrong"); status != http.StatusUnauthorized {
			t.Fatalf("failure %d: %d %s", i+1, status, body)
		}
	}
	if status, body, _ := loginFrom(t, tm.e, "198.51.100.200", victim, "wrong"); status != http.StatusTooManyRequests {
		t.Fatalf("a forged X-Forwarded-For escaped the throttle: %d %s", status, body)
	}
}

func atoi(t *testing.T, s string) int {
	t.Helper()
	n, err := strconv.Atoi(s)
	must(t, err)
	return n
}

func itoa(i int) string { return strconv.Itoa(i) }

package httpapi_test

import (
	"bytes"
	"net/http"
	"sync"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/identity/totp"
)

// clock is a settable time source for the API.
type clock struct {
	mu sync.Mutex
	t  time.Time
}

func (c *clock) Now() time.Time { c.mu.Lock(); defer c.mu.Unlock(); return c.t }

func (c *clock) Add(d time.Duration) { c.mu.Lock(); c.t = c.t.Add(d); c.mu.Unlock() }

func TestMFA(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		clk := &clock{t: time.Now().UTC()}
		e := newEnv(t, dsn, withKeyring(testKeyring(t)), func(c *httpapi.Config) { c.Now = clk.Now })
		h := bearer(e.token)
		status, body := send(t, e, "POST", "/api/v1/auth/mfa/enroll", h, nil)
		if status != http.StatusOK {
			t.Fatalf("enroll: %d %s", status, body)
		}
		enr := decode[httpapi.MFAEnrollment](t, body)
		code := func() string {
			c, err := totp.Code(enr.Secret, clk.Now())
			must(t, err)
			return c
		}
		if status, body := send(t, e, "POST", "/api/v1/auth/mfa/confirm", h, map[string]string{"code": "000000"}); status != http.StatusUnauthorized {
			t.Fatalf("confirm with a wrong code: %d %s", status, body)
		}
		status, body = send(t, e, "POST", "/api/v1/auth/mfa/confirm", h, map[string]string{"code": code()})
		if status != http.StatusOK {
			t.Fatalf("confirm: %d %s", status, body)
		}
		recovery := decode[httpapi.MFARecoveryCodes](t, body).RecoveryCodes
		if len(recovery) != totp.RecoveryCodeCount {
			t.Fatalf("recovery codes: %v", recovery)
		}
		login := func(extra map[string]string) (int, []byte) {
			b := map[string]string{"email": adminEmail, "password": adminPassword}
			for k, v := range extra {
				b[k] = v
			}
			return send(t, e, "POST", "/api/v1/auth/login", nil, b)
		}
		if status, body := login(nil); status != http.StatusUnauthorized || errorCode(body) != "MFA_REQUIRED" {
			t.Fatalf("password only: %d %s", status, body)
		}
		// The code used to confirm cannot be replayed.
		if status, body := login(map[string]string{"otp": code()}); status != http.StatusUnauthorized || errorCode(body) != "INVALID_MFA_CODE" {
			t.Fatalf("replayed code: %d %s", status, body)
		}
		clk.Add(totp.Period)
		status, body = login(map[string]string{"otp": code()})
		if status != http.StatusOK {
			t.Fatalf("password and code: %d %s", status, body)
		}
		if tok := decode[httpapi.TokenResponse](t, body); tok.AccessToken == "" {
			t.Fatal("no token")
		}
		if status, body := login(map[string]string{"recoveryCode": recovery[0]}); status != http.StatusOK {
			t.Fatalf("recovery code: %d %s", status, body)
		}
		if status, _ := login(map[string]string{"recoveryCode": recovery[0]}); status != http.StatusUnauthorized {
			t.Fatalf("recovery code used twice: %d", status)
		}
	})
}

// TestOrganizationRequiresMFA: members without MFA can only enrol.
func TestOrganizationRequiresMFA(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "strict")
		ctx := t.Context()
		st := tm.e.api.Store()
		o, err := st.FindOrganization(ctx, f.org)
		must(t, err)
		o.Settings.MFARequired = true
		must(t, st.UpdateOrganization(ctx, o))
		dev := bearer(tm.tokens["developer"])
		status, body := send(t, tm.e, "GET", "/api/v1/projects/"+f.project, dev, nil)
		if status != http.StatusForbidden || errorCode(body) != "MFA_ENROLMENT_REQUIRED" {
			t.Fatalf("member without MFA: %d %s", status, body)
		}
		status, body = send(t, tm.e, "GET", "/api/v1/projects", dev, nil)
		if status != http.StatusOK || bytes.Contains(body, []byte(f.project)) {
			t.Fatalf("list shows the strict organization's project: %d %s", status, body)
		}
		if status, body := send(t, tm.e, "POST", "/api/v1/auth/mfa/enroll", dev, nil); status != http.StatusOK {
			t.Fatalf("enrolling: %d %s", status, body)
		}
	})
}

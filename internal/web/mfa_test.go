package web_test

import (
	"net/http"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/pquerna/otp/totp"
)

func TestSignInWithSecondFactor(t *testing.T) {
	t.Parallel()
	f := shared(t)
	const email, pw = "mfa@example.com", "second factor password 99"
	mustAPI(t, f.token, "POST", "/api/v1/organizations/"+f.org+"/users", map[string]any{"email": email, "name": "Mia", "role": "developer", "password": pw}, nil)
	tok := apiLogin(t, email, pw)
	var enr struct {
		Secret string `json:"secret"`
	}
	mustAPI(t, tok, "POST", "/api/v1/auth/mfa/enroll", nil, &enr)
	code, err := totp.GenerateCode(enr.Secret, time.Now())
	if err != nil {
		t.Fatal(err)
	}
	mustAPI(t, tok, "POST", "/api/v1/auth/mfa/confirm", map[string]string{"code": code}, nil)

	c := browser(t)
	_, body := get(t, c, "/login")
	csrf := csrfOf(t, body)
	res, body := post(t, c, "/login", url.Values{"email": {email}, "password": {pw}, "csrf_token": {csrf}, "next": {"/settings"}})
	if res.StatusCode != http.StatusOK || !strings.Contains(body, `name="code"`) {
		t.Fatalf("password step: %d, no code form", res.StatusCode)
	}
	if strings.Contains(body, pw) {
		t.Error("the code form holds the password")
	}
	res, body = post(t, c, "/login/mfa", url.Values{"code": {"000000"}, "csrf_token": {csrfOf(t, body)}})
	if res.StatusCode != http.StatusUnauthorized || !strings.Contains(body, `name="code"`) {
		t.Errorf("wrong code: %d", res.StatusCode)
	}
	// The next period's code: the one above was spent by the confirmation.
	code, _ = totp.GenerateCode(enr.Secret, time.Now().Add(30*time.Second))
	res, _ = post(t, c, "/login/mfa", url.Values{"code": {code}, "csrf_token": {csrfOf(t, body)}})
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings" {
		t.Fatalf("code step: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	if res, _ = get(t, c, "/settings"); res.StatusCode != http.StatusOK {
		t.Errorf("signed in with a second factor, settings answer %d", res.StatusCode)
	}
}

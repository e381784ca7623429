package httpapi_test

import (
	"encoding/json"
	"testing"

	"github.com/usecapsule/capsule/internal/identity/token"
)

// TestTokenResponseContract pins the login and refresh answer of issue 2:
// exactly {"access_token","refresh_token","token_type":"Bearer","expires_in"},
// with expires_in the access token's lifetime in seconds (900 for the
// 15-minute default, not 899 from sub-second truncation).
func TestTokenResponseContract(t *testing.T) {
	e := newEnv(t, sqliteDSN(t))
	login := e.do(t, call{method: "POST", path: "/api/v1/auth/login", token: "-",
		body: map[string]string{"email": adminEmail, "password": adminPassword}})
	refresh := e.do(t, call{method: "POST", path: "/api/v1/auth/refresh", token: "-",
		body: map[string]string{"refresh_token": login.json["refresh_token"].(string)}})
	for name, r := range map[string]*result{"login": login, "refresh": refresh} {
		if r.status != 200 {
			t.Fatalf("%s: %d %s", name, r.status, r.raw)
		}
		var body map[string]json.RawMessage
		if err := json.Unmarshal(r.raw, &body); err != nil {
			t.Fatal(err)
		}
		if len(body) != 4 {
			t.Errorf("%s: fields %s, want exactly access_token, refresh_token, token_type, expires_in", name, r.raw)
		}
		if r.json["token_type"] != "Bearer" {
			t.Errorf("%s: token_type %v, want Bearer", name, r.json["token_type"])
		}
		if got, want := r.json["expires_in"], token.DefaultTTL.Seconds(); got != want {
			t.Errorf("%s: expires_in %v, want %v", name, got, want)
		}
		if s, _ := r.json["access_token"].(string); s == "" {
			t.Errorf("%s: no access_token in %s", name, r.raw)
		}
		if s, _ := r.json["refresh_token"].(string); s == "" {
			t.Errorf("%s: no refresh_token in %s", name, r.raw)
		}
	}
}

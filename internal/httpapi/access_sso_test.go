package httpapi_test

import (
	"crypto/rand"
	"crypto/rsa"
	"encoding/json"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strings"
	"testing"
	"time"

	"github.com/go-jose/go-jose/v3"
	"github.com/ory/fosite"
	"github.com/ory/fosite/compose"
	"github.com/ory/fosite/handler/openid"
	"github.com/ory/fosite/storage"
	"github.com/ory/fosite/token/jwt"
	"golang.org/x/crypto/bcrypt"

	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/rbac"
)

// idpUser is who signs in at the test identity provider.
type idpUser struct {
	subject, email, name string
	verified             bool
}

// startProvider runs a real OpenID Connect provider (ory/fosite) on
// 127.0.0.1 serving discovery, JWKS, authorize and token, with one client
// "capsule" whose redirect URI is redirect. Its login page is skipped: the
// authorize endpoint signs in *who at once.
func startProvider(t *testing.T, redirect string, who *idpUser) string {
	t.Helper()
	key, err := rsa.GenerateKey(rand.Reader, 2048)
	must(t, err)
	secret, err := bcrypt.GenerateFromPassword([]byte("client-secret-123"), bcrypt.MinCost)
	must(t, err)
	store := storage.NewMemoryStore()
	store.Clients["capsule"] = &fosite.DefaultClient{ID: "capsule", Secret: secret, RedirectURIs: []string{redirect},
		ResponseTypes: []string{"code"}, GrantTypes: []string{"authorization_code"}, Scopes: []string{"openid", "email", "profile"}}
	mux := http.NewServeMux()
	srv := httptest.NewServer(mux)
	t.Cleanup(srv.Close)
	issuer := srv.URL
	cfg := &fosite.Config{GlobalSecret: []byte("a-32-byte-global-secret-for-hmac"), IDTokenIssuer: issuer, EnforcePKCE: true,
		EnforcePKCEForPublicClients: true, AccessTokenLifespan: time.Hour, AuthorizeCodeLifespan: time.Minute, IDTokenLifespan: time.Hour}
	op := compose.ComposeAllEnabled(cfg, store, key)

	mux.HandleFunc("GET /.well-known/openid-configuration", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(map[string]any{
			"issuer": issuer, "authorization_endpoint": issuer + "/authorize", "token_endpoint": issuer + "/token",
			"jwks_uri": issuer + "/jwks", "response_types_supported": []string{"code"}, "subject_types_supported": []string{"public"},
			"id_token_signing_alg_values_supported": []string{"RS256"}, "code_challenge_methods_supported": []string{"S256"},
		})
	})
	mux.HandleFunc("GET /jwks", func(w http.ResponseWriter, _ *http.Request) {
		_ = json.NewEncoder(w).Encode(jose.JSONWebKeySet{Keys: []jose.JSONWebKey{{Key: &key.PublicKey, KeyID: "k1", Algorithm: "RS256", Use: "sig"}}})
	})
	mux.HandleFunc("GET /authorize", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ar, err := op.NewAuthorizeRequest(ctx, r)
		if err != nil {
			op.WriteAuthorizeError(ctx, w, ar, err)
			return
		}
		for _, s := range ar.GetRequestedScopes() {
			ar.GrantScope(s)
		}
		now := time.Now().UTC()
		sess := &openid.DefaultSession{Subject: who.subject, Headers: &jwt.Headers{Extra: map[string]any{"kid": "k1"}},
			Claims: &jwt.IDTokenClaims{Issuer: issuer, Subject: who.subject, IssuedAt: now, RequestedAt: now, AuthTime: now,
				Extra: map[string]any{"email": who.email, "email_verified": who.verified, "name": who.name}}}
		resp, err := op.NewAuthorizeResponse(ctx, ar, sess)
		if err != nil {
			op.WriteAuthorizeError(ctx, w, ar, err)
			return
		}
		op.WriteAuthorizeResponse(ctx, w, ar, resp)
	})
	mux.HandleFunc("POST /token", func(w http.ResponseWriter, r *http.Request) {
		ctx := r.Context()
		ar, err := op.NewAccessRequest(ctx, r, &openid.DefaultSession{})
		if err != nil {
			op.WriteAccessError(ctx, w, ar, err)
			return
		}
		resp, err := op.NewAccessResponse(ctx, ar)
		if err != nil {
			op.WriteAccessError(ctx, w, ar, err)
			return
		}
		op.WriteAccessResponse(ctx, w, ar, resp)
	})
	return issuer
}

// browse follows the sign-in redirects by hand, as a browser would, and
// returns the final response's status and body.
func browse(t *testing.T, start string) (int, []byte, string) {
	t.Helper()
	c := &http.Client{CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }}
	next := start
	for range 5 {
		resp, err := c.Get(next)
		must(t, err)
		var b strings.Builder
		buf := make([]byte, 4096)
		for {
			n, err := resp.Body.Read(buf)
			b.Write(buf[:n])
			if err != nil {
				break
			}
		}
		resp.Body.Close()
		loc := resp.Header.Get("Location")
		if resp.StatusCode/100 != 3 || loc == "" {
			return resp.StatusCode, []byte(b.String()), next
		}
		u, err := resp.Request.URL.Parse(loc)
		must(t, err)
		next = u.String()
	}
	t.Fatal("too many redirects")
	return 0, nil, ""
}

func TestOIDCLogin(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn, withEgressAllow(t, "127.0.0.0/8"))
		who := &idpUser{subject: "idp|4711", email: "grace@example.com", name: "Grace Hopper", verified: true}
		issuer := startProvider(t, tm.e.srv.URL+"/api/v1/auth/sso/callback", who)
		owner := bearer(tm.tokens[rbac.Owner])
		status, body := send(t, tm.e, "PUT", "/api/v1/organizations/"+tm.e.orgID+"/sso", owner,
			map[string]string{"issuer": issuer, "clientId": "capsule", "clientSecret": "client-secret-123", "defaultRole": "developer"})
		if status != http.StatusOK {
			t.Fatalf("configure SSO: %d %s", status, body)
		}
		if strings.Contains(string(body), "client-secret-123") {
			t.Fatal("the client secret is echoed")
		}
		signIn := func() httpapi.TokenResponse {
			t.Helper()
			status, body, last := browse(t, tm.e.srv.URL+"/api/v1/auth/sso/default/login")
			if status != http.StatusOK || !strings.Contains(last, "/api/v1/auth/sso/callback") {
				t.Fatalf("sign-in ended at %s with %d: %s", last, status, body)
			}
			return decode[httpapi.TokenResponse](t, body)
		}
		tok := signIn()
		status, body = send(t, tm.e, "GET", "/api/v1/auth/me", bearer(tok.AccessToken), nil)
		me := decode[httpapi.Me](t, body)
		if status != http.StatusOK || me.Email != who.email || me.Name != who.name {
			t.Fatalf("me: %d %s", status, body)
		}
		var role string
		for _, m := range me.Memberships {
			if m.OrganizationID == tm.e.orgID {
				role = m.Role
			}
		}
		if role != rbac.Developer {
			t.Fatalf("membership role %q, want the default role developer: %+v", role, me.Memberships)
		}
		// A second sign-in finds the same user.
		if again := signIn(); again.AccessToken == "" {
			t.Fatal("second sign-in failed")
		}
		if status, body := send(t, tm.e, "GET", "/api/v1/auth/me", bearer(signIn().AccessToken), nil); decode[httpapi.Me](t, body).ID != me.ID || status != http.StatusOK {
			t.Fatalf("second sign-in made another user: %s", body)
		}
		// A forged or replayed callback is refused.
		q := url.Values{"code": {"forged"}, "state": {"not-a-state"}}
		if status, _ := send(t, tm.e, "GET", "/api/v1/auth/sso/callback?"+q.Encode(), nil, nil); status != http.StatusUnauthorized {
			t.Fatalf("forged callback: %d", status)
		}
		// An unverified email of an existing account is not linked.
		*who = idpUser{subject: "idp|evil", email: adminEmail, name: "Mallory", verified: false}
		status, body, _ = browse(t, tm.e.srv.URL+"/api/v1/auth/sso/default/login")
		if status != http.StatusConflict || errorCode(body) != "SSO_EMAIL_UNVERIFIED" {
			t.Fatalf("unverified takeover: %d %s", status, body)
		}
	})
}

package web_test

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
	if err != nil {
		t.Fatal(err)
	}
	secret, err := bcrypt.GenerateFromPassword([]byte("client-secret-123"), bcrypt.MinCost)
	if err != nil {
		t.Fatal(err)
	}
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

// TestSingleSignOn: the sign-in page's single sign-on form goes through
// the API's start route to a real OpenID Connect provider, whose return to
// the API's callback path the UI answers with a session.
func TestSingleSignOn(t *testing.T) {
	t.Parallel()
	f := shared(t)
	who := &idpUser{subject: "idp|4711", email: "grace@example.com", name: "Grace Hopper", verified: true}
	issuer := startProvider(t, base+"/api/v1/auth/sso/callback", who)
	mustAPI(t, f.token, "PUT", "/api/v1/organizations/"+f.org+"/sso",
		map[string]string{"issuer": issuer, "clientId": "capsule", "clientSecret": "client-secret-123", "defaultRole": "developer"}, nil)

	c := browser(t)
	res, body := get(t, c, "/login/sso?org=nobody-here&next=/settings")
	if res.StatusCode != http.StatusNotFound || !strings.Contains(body, `id="login-error"`) {
		t.Errorf("unknown organization: %d", res.StatusCode)
	}
	res, _ = get(t, c, "/login/sso?org=default&next=/settings")
	loc := res.Header.Get("Location")
	if res.StatusCode != http.StatusFound || !strings.HasPrefix(loc, issuer+"/authorize") {
		t.Fatalf("SSO start: %d to %q", res.StatusCode, loc)
	}
	res, err := c.Get(loc) // the provider signs Grace in at once
	if err != nil {
		t.Fatal(err)
	}
	readAll(res)
	cb, err := res.Request.URL.Parse(res.Header.Get("Location"))
	if err != nil || !strings.HasPrefix(cb.String(), base+"/api/v1/auth/sso/callback") {
		t.Fatalf("provider redirected to %q (%v)", res.Header.Get("Location"), err)
	}
	res, err = c.Get(cb.String())
	if err != nil {
		t.Fatal(err)
	}
	readAll(res)
	if res.StatusCode != http.StatusSeeOther || res.Header.Get("Location") != "/settings" {
		t.Fatalf("callback: %d to %q", res.StatusCode, res.Header.Get("Location"))
	}
	res, body = get(t, c, "/settings")
	if res.StatusCode != http.StatusOK || !strings.Contains(body, "grace@example.com") {
		t.Errorf("signed in by SSO, settings: %d", res.StatusCode)
	}
	u, _ := url.Parse(base)
	for _, ck := range c.Jar.Cookies(u) {
		if ck.Name == "capsule_sso" {
			t.Error("the SSO cookie outlived the sign-on")
		}
	}
}

package httpapi

import (
	"context"
	"crypto/rand"
	"encoding/base64"
	"encoding/json"
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/coreos/go-oidc/v3/oidc"
	"golang.org/x/oauth2"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/rbac"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// SSOConfigRequest is the body of PUT /organizations/{id}/sso.
type SSOConfigRequest struct {
	Issuer       string `json:"issuer"`
	ClientID     string `json:"clientId"`
	ClientSecret string `json:"clientSecret"`
	DefaultRole  string `json:"defaultRole"`
}

// ssoStateTTL bounds how long a sign-in may sit at the provider.
const ssoStateTTL = 10 * time.Minute

// ssoSecretName is the secret-store name of an organization's client secret.
const ssoSecretName = "capsule.sso.client_secret"

// SSOConfig is an organization's single sign-on setting.
type SSOConfig struct {
	Configured bool `json:"configured"`
	*identity.OIDCConfig
}

func (ac *access) getSSO(w http.ResponseWriter, r *http.Request) error {
	c, err := ac.ids.FindOIDCConfig(r.Context(), r.PathValue("id"))
	if capsule.IsNotFound(err) {
		writeJSON(w, http.StatusOK, SSOConfig{OIDCConfig: &identity.OIDCConfig{OrganizationID: r.PathValue("id")}})
		return nil
	}
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SSOConfig{Configured: true, OIDCConfig: c})
	return nil
}

// putSSO configures the organization's OpenID Connect provider. The issuer
// must answer discovery now, so a typo fails here and not at sign-in.
func (ac *access) putSSO(w http.ResponseWriter, r *http.Request) error {
	ring, err := ac.keyringOr501()
	if err != nil {
		return err
	}
	orgID := r.PathValue("id")
	var req SSOConfigRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	var v capsule.Validation
	if u, err := url.Parse(req.Issuer); err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" {
		v.Add("issuer", "%q is not an http(s) URL", req.Issuer)
	}
	if req.ClientID == "" {
		v.Add("clientId", "is required")
	}
	if req.DefaultRole == "" {
		req.DefaultRole = rbac.Viewer
	}
	if !rbac.IsBuiltIn(req.DefaultRole) || req.DefaultRole == rbac.Owner {
		v.Add("defaultRole", "must be admin, developer or viewer")
	}
	if err := v.Err(); err != nil {
		return err
	}
	if _, err := ac.provider(r.Context(), req.Issuer); err != nil {
		return invalid(capsule.CodeValidation, "issuer", "OpenID discovery failed: %s", err.Error())
	}
	_, actor := principalFrom(r.Context()).actor()
	sec := &identity.Secret{OrganizationID: orgID, Name: ssoSecretName, CreatedBy: actor}
	if err := ac.ids.PutSecret(r.Context(), sec, sealWith(ring, req.ClientSecret), ac.now()); err != nil {
		return err
	}
	c := &identity.OIDCConfig{OrganizationID: orgID, Issuer: req.Issuer, ClientID: req.ClientID,
		ClientSecretID: sec.ID, DefaultRole: req.DefaultRole, CreatedAt: ac.now()}
	if err := ac.ids.PutOIDCConfig(r.Context(), c); err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SSOConfig{Configured: true, OIDCConfig: c})
	return nil
}

func (ac *access) provider(ctx context.Context, issuer string) (*oidc.Provider, error) {
	if p, ok := ac.providers.Load(issuer); ok {
		return p.(*oidc.Provider), nil
	}
	// Discovery outlives the request that triggered it.
	p, err := discover(context.WithoutCancel(ctx), ac.http, issuer)
	if err != nil {
		return nil, err
	}
	ac.providers.Store(issuer, p)
	return p, nil
}

// ssoState travels through the provider sealed with the master key: it
// carries the PKCE verifier and the nonce, so the server keeps no state
// between the redirect and the callback (any replica can finish a sign-in).
type ssoState struct {
	Org      string    `json:"org"`
	Verifier string    `json:"verifier"`
	Nonce    string    `json:"nonce"`
	Expires  time.Time `json:"exp"`
}

var stateAAD = []byte("capsule-sso-state")

func sealState(ring *secretbox.Keyring, st ssoState) (string, error) {
	plain, _ := json.Marshal(st)
	s, err := ring.Seal(plain, stateAAD)
	if err != nil {
		return "", err
	}
	b, _ := json.Marshal(s)
	return base64.RawURLEncoding.EncodeToString(b), nil
}

func openState(ring *secretbox.Keyring, text string, now time.Time) (ssoState, error) {
	var st ssoState
	b, err := base64.RawURLEncoding.DecodeString(text)
	var s secretbox.Sealed
	if err == nil {
		err = json.Unmarshal(b, &s)
	}
	var plain []byte
	if err == nil {
		plain, err = ring.Open(s, stateAAD)
	}
	if err == nil {
		err = json.Unmarshal(plain, &st)
	}
	if err != nil || !now.Before(st.Expires) {
		return st, unauthenticated("the sign-in state is invalid or expired; start again")
	}
	return st, nil
}

// callbackURL is where the provider sends the browser back: this server's
// own URL as the request reached it.
func callbackURL(r *http.Request) string {
	scheme := "http"
	if r.TLS != nil {
		scheme = "https"
	}
	return scheme + "://" + r.Host + "/api/v1/auth/sso/callback"
}

func (ac *access) oauthConfig(r *http.Request, c *identity.OIDCConfig, p *oidc.Provider) (*oauth2.Config, error) {
	ring, err := ac.keyringOr501()
	if err != nil {
		return nil, err
	}
	sealed, v, err := ac.ids.SecretVersion(r.Context(), c.ClientSecretID, 0)
	if err != nil {
		return nil, err
	}
	secret, err := ring.Open(sealed, identity.SecretAAD(c.ClientSecretID, v))
	if err != nil {
		return nil, capsule.Internal(err)
	}
	return &oauth2.Config{ClientID: c.ClientID, ClientSecret: string(secret), Endpoint: p.Endpoint(),
		RedirectURL: callbackURL(r), Scopes: []string{oidc.ScopeOpenID, "email", "profile"}}, nil
}

// ssoLogin redirects the browser to the organization's provider with an
// authorization-code request protected by PKCE (S256), a nonce and state.
func (a *API) ssoLogin(w http.ResponseWriter, r *http.Request) error {
	ac := a.access
	ring, err := ac.keyringOr501()
	if err != nil {
		return err
	}
	org, err := ac.orgByRef(r.Context(), r.PathValue("org"))
	if err != nil {
		return err
	}
	c, err := ac.ids.FindOIDCConfig(r.Context(), org.ID)
	if err != nil {
		return err
	}
	p, err := ac.provider(r.Context(), c.Issuer)
	if err != nil {
		return capsule.Errorf(capsule.KindUnavailable, capsule.CodeSSOProviderDown, "the identity provider does not answer: %v", err)
	}
	conf, err := ac.oauthConfig(r, c, p)
	if err != nil {
		return err
	}
	st := ssoState{Org: org.ID, Verifier: oauth2.GenerateVerifier(), Nonce: randomString(), Expires: ac.now().Add(ssoStateTTL)}
	state, err := sealState(ring, st)
	if err != nil {
		return err
	}
	target := conf.AuthCodeURL(state, oidc.Nonce(st.Nonce), oauth2.S256ChallengeOption(st.Verifier))
	http.Redirect(w, r, target, http.StatusFound)
	return nil
}

// orgByRef finds an organization by id or slug.
func (ac *access) orgByRef(ctx context.Context, ref string) (*capsule.Organization, error) {
	if o, err := ac.store.FindOrganization(ctx, ref); err == nil {
		return o, nil
	}
	l, err := ac.store.ListOrganizations(ctx, capsule.OrganizationFilter{Slug: ref, Page: capsule.Page{Limit: 1}})
	if err != nil {
		return nil, err
	}
	if len(l.Items) == 0 {
		return nil, capsule.NotFound("organization", ref)
	}
	return &l.Items[0], nil
}

func randomString() string {
	b := make([]byte, 24)
	_, _ = rand.Read(b)
	return base64.RawURLEncoding.EncodeToString(b)
}

// idClaims are the ID token claims Capsule uses.
type idClaims struct {
	Email         string `json:"email"`
	EmailVerified *bool  `json:"email_verified"`
	Name          string `json:"name"`
}

// ssoCallback finishes the sign-in: it exchanges the code (with the PKCE
// verifier), verifies the ID token (signature via JWKS, issuer, audience,
// expiry, nonce), finds or creates the user, makes them a member with the
// organization's default role, and answers Capsule tokens.
func (a *API) ssoCallback(w http.ResponseWriter, r *http.Request) error {
	ac := a.access
	ring, err := ac.keyringOr501()
	if err != nil {
		return err
	}
	q := r.URL.Query()
	if e := q.Get("error"); e != "" {
		return unauthenticated("the identity provider refused the sign-in: " + clip(e+" "+q.Get("error_description"), 200))
	}
	st, err := openState(ring, q.Get("state"), ac.now())
	if err != nil {
		return err
	}
	c, err := ac.ids.FindOIDCConfig(r.Context(), st.Org)
	if err != nil {
		return err
	}
	p, err := ac.provider(r.Context(), c.Issuer)
	if err != nil {
		return capsule.Errorf(capsule.KindUnavailable, capsule.CodeSSOProviderDown, "the identity provider does not answer: %v", err)
	}
	conf, err := ac.oauthConfig(r, c, p)
	if err != nil {
		return err
	}
	tok, err := conf.Exchange(oidc.ClientContext(r.Context(), ac.http), q.Get("code"), oauth2.VerifierOption(st.Verifier))
	if err != nil {
		return unauthenticated("the authorization code was refused by the identity provider")
	}
	raw, _ := tok.Extra("id_token").(string)
	idt, err := p.Verifier(&oidc.Config{ClientID: c.ClientID, Now: ac.now}).Verify(r.Context(), raw)
	if err != nil || idt.Nonce != st.Nonce {
		return unauthenticated("the ID token is invalid")
	}
	var claims idClaims
	if err := idt.Claims(&claims); err != nil {
		return unauthenticated("the ID token's claims are unreadable")
	}
	uid, err := ac.ssoUser(r.Context(), c, idt.Issuer, idt.Subject, claims)
	if err != nil {
		return err
	}
	if u, err := a.cfg.Store.FindUser(r.Context(), uid); err != nil {
		return err
	} else if u.DisabledAt != nil {
		return errUserDisabled
	}
	refresh, hash, err := newRefreshToken()
	if err != nil {
		return err
	}
	now := a.now()
	s := &capsule.Session{ID: newRequestID(), UserID: uid, TokenHash: hash, UserAgent: r.UserAgent(),
		IP: r.RemoteAddr, CreatedAt: now, ExpiresAt: now.Add(a.cfg.RefreshTTL)}
	s.FamilyID = s.ID
	if err := a.cfg.Store.CreateSession(r.Context(), s); err != nil {
		return err
	}
	if err := a.cfg.Store.TouchUserLogin(r.Context(), uid, now); err != nil {
		return err
	}
	return a.writeTokens(w, uid, s.FamilyID, refresh)
}

// ssoUser returns the user linked to the provider's subject, linking (when
// the provider vouches for the email) or creating one on first sign-in, and
// makes them a member of the organization with its default role.
func (ac *access) ssoUser(ctx context.Context, c *identity.OIDCConfig, issuer, subject string, cl idClaims) (string, error) {
	uid, err := ac.ids.OIDCUser(ctx, issuer, subject)
	if err != nil {
		return "", err
	}
	if uid == "" {
		uid, err = ac.ssoFirstLogin(ctx, issuer, subject, cl)
		if err != nil {
			return "", err
		}
	}
	if _, err := ac.store.FindMember(ctx, c.OrganizationID, uid); capsule.IsNotFound(err) {
		m := &capsule.Member{OrganizationID: c.OrganizationID, UserID: uid, Role: c.DefaultRole, JoinedAt: ac.now().UTC()}
		if err := ac.store.AddMember(ctx, m); err != nil {
			return "", err
		}
	} else if err != nil {
		return "", err
	}
	return uid, nil
}

func (ac *access) ssoFirstLogin(ctx context.Context, issuer, subject string, cl idClaims) (string, error) {
	email := strings.TrimSpace(cl.Email)
	if email == "" {
		return "", unauthenticated("the identity provider sent no email claim; add the email scope")
	}
	u, err := ac.store.FindUserByEmail(ctx, email)
	switch {
	case err == nil && (cl.EmailVerified == nil || !*cl.EmailVerified):
		// Linking an existing account on an unverified email would let
		// anyone who can set that email at the provider take it over.
		return "", capsule.Errorf(capsule.KindConflict, capsule.CodeSSOEmailUnverified,
			"an account with %s exists and the identity provider does not vouch for the email", email)
	case capsule.IsNotFound(err):
		name := cl.Name
		if name == "" {
			name, _, _ = strings.Cut(email, "@")
		}
		u = &capsule.User{Email: email, Name: name}
		if err := u.Validate(); err != nil {
			return "", err
		}
		if err := ac.store.CreateUser(ctx, u); err != nil {
			return "", err
		}
	case err != nil:
		return "", err
	}
	if err := ac.ids.LinkOIDCUser(ctx, issuer, subject, u.ID); err != nil {
		return "", err
	}
	return u.ID, nil
}

// Package token issues and verifies Capsule's short-lived access tokens:
// HS256 JSON Web Tokens signed with a server key.
//
// Verification pins the algorithm to HS256 (so "alg":"none" and RS256/HS256
// key confusion are rejected before the signature is looked at), requires
// exp, iat, sub and sid, checks the issuer and audience, and allows a small
// leeway for clock skew between replicas. The signature alone does not make
// a token usable: the API also checks on each request that the session
// family named by sid is still live (see httpapi's sessionLive), so logout
// and revocation take effect within a second, not at expiry.
package token

import (
	"crypto/rand"
	"encoding/base64"
	"errors"
	"fmt"
	"time"

	"github.com/golang-jwt/jwt/v5"
)

// Token constants shared by issuer and verifier.
const (
	IssuerName = "capsule"
	Audience   = "capsule-api"
	DefaultTTL = 15 * time.Minute
	// Leeway tolerates clock skew between the issuing and verifying replicas.
	Leeway = 30 * time.Second
	// MaxLength bounds the token accepted by Verify; ours are ~300 bytes.
	MaxLength = 4096
	// MinKeyLen is the shortest signing key accepted (256 bits, as RFC 7518 §3.2 asks for HS256).
	MinKeyLen = 32
)

// ErrInvalid is wrapped by every Verify failure; callers map it to 401.
var ErrInvalid = errors.New("invalid access token")

// Claims are the claims of a Capsule access token.
type Claims struct {
	UserID    string    // sub
	SessionID string    // sid: the refresh session this token was minted from
	OrgID     string    // org: optional organization the token is scoped to
	ID        string    // jti
	IssuedAt  time.Time // iat
	ExpiresAt time.Time // exp
}

// jwtClaims is the wire form.
type jwtClaims struct {
	SessionID string `json:"sid"`
	OrgID     string `json:"org,omitempty"`
	jwt.RegisteredClaims
}

// An Issuer signs and verifies access tokens with one key.
type Issuer struct {
	key []byte
	ttl time.Duration
}

// NewIssuer returns an Issuer signing with key; ttl <= 0 means DefaultTTL.
// The key should be at least MinKeyLen random bytes; Issue refuses shorter keys.
func NewIssuer(key []byte, ttl time.Duration) *Issuer {
	if ttl <= 0 {
		ttl = DefaultTTL
	}
	return &Issuer{key: append([]byte(nil), key...), ttl: ttl}
}

// TTL returns the lifetime of issued tokens.
func (i *Issuer) TTL() time.Duration { return i.ttl }

// Issue returns a signed token for the user's session and its expiry time.
func (i *Issuer) Issue(userID, sessionID string, now time.Time) (string, time.Time, error) {
	return i.IssueClaims(Claims{UserID: userID, SessionID: sessionID}, now)
}

// IssueClaims is Issue with an optional organization scope; c.ID, IssuedAt
// and ExpiresAt are filled in.
func (i *Issuer) IssueClaims(c Claims, now time.Time) (string, time.Time, error) {
	if len(i.key) < MinKeyLen {
		return "", time.Time{}, fmt.Errorf("token: signing key is %d bytes, need at least %d", len(i.key), MinKeyLen)
	}
	if c.UserID == "" || c.SessionID == "" {
		return "", time.Time{}, errors.New("token: user ID and session ID are required")
	}
	jti, err := randomID()
	if err != nil {
		return "", time.Time{}, err
	}
	now = now.UTC().Truncate(time.Second)
	exp := now.Add(i.ttl)
	wire := jwtClaims{
		SessionID: c.SessionID,
		OrgID:     c.OrgID,
		RegisteredClaims: jwt.RegisteredClaims{
			Issuer:    IssuerName,
			Subject:   c.UserID,
			Audience:  jwt.ClaimStrings{Audience},
			ExpiresAt: jwt.NewNumericDate(exp),
			NotBefore: jwt.NewNumericDate(now),
			IssuedAt:  jwt.NewNumericDate(now),
			ID:        jti,
		},
	}
	s, err := jwt.NewWithClaims(jwt.SigningMethodHS256, wire).SignedString(i.key)
	if err != nil {
		return "", time.Time{}, fmt.Errorf("token: signing: %w", err)
	}
	return s, exp, nil
}

// Verify parses tok, checks its signature, algorithm, issuer, audience and
// times against now, and returns its claims. Every failure wraps ErrInvalid.
func (i *Issuer) Verify(tok string, now time.Time) (*Claims, error) {
	if len(tok) > MaxLength {
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrInvalid, MaxLength)
	}
	if len(i.key) < MinKeyLen {
		return nil, fmt.Errorf("%w: verifier has no usable key", ErrInvalid)
	}
	parser := jwt.NewParser(
		jwt.WithValidMethods([]string{jwt.SigningMethodHS256.Alg()}),
		jwt.WithIssuer(IssuerName),
		jwt.WithAudience(Audience),
		jwt.WithExpirationRequired(),
		jwt.WithIssuedAt(),
		jwt.WithLeeway(Leeway),
		jwt.WithTimeFunc(func() time.Time { return now }),
	)
	var wire jwtClaims
	_, err := parser.ParseWithClaims(tok, &wire, func(t *jwt.Token) (any, error) {
		// WithValidMethods already checked alg; this type check is the
		// belt to its braces against key confusion.
		if _, ok := t.Method.(*jwt.SigningMethodHMAC); !ok {
			return nil, fmt.Errorf("unexpected signing method %v", t.Header["alg"])
		}
		return i.key, nil
	})
	if err != nil {
		return nil, fmt.Errorf("%w: %v", ErrInvalid, err)
	}
	if wire.Subject == "" || wire.SessionID == "" || wire.IssuedAt == nil {
		return nil, fmt.Errorf("%w: missing sub, sid or iat", ErrInvalid)
	}
	return &Claims{
		UserID:    wire.Subject,
		SessionID: wire.SessionID,
		OrgID:     wire.OrgID,
		ID:        wire.ID,
		IssuedAt:  wire.IssuedAt.Time,
		ExpiresAt: wire.ExpiresAt.Time,
	}, nil
}

func randomID() (string, error) {
	b := make([]byte, 16)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("token: reading random: %w", err)
	}
	return base64.RawURLEncoding.EncodeToString(b), nil
}

// Package apikey makes and checks Capsule API keys, the credentials of CI/CD
// pipelines and SDKs.
//
// A key reads cap_<id>_<secret>: the fixed prefix makes leaked keys easy to
// spot for secret scanners, the 12-character id is stored in clear to find the
// key's row without scanning, and the secret carries 256 random bits. Only the
// SHA-256 of the whole key is stored: with that much entropy a slow hash adds
// nothing, and checking a key on every request must be cheap. The plain key is
// shown once, at creation.
package apikey

import (
	"crypto/rand"
	"encoding/base32"
	"errors"
	"fmt"
	"strings"
	"time"

	"github.com/usecapsule/capsule/internal/identity/opaque"
)

// Prefix starts every key.
const Prefix = "cap_"

const (
	idLen     = 12 // base32 characters: 60 bits, unique enough for lookup
	secretLen = 52 // base32 characters of 32 random bytes
)

// ErrMalformed is returned by Parse for a string that is not a Capsule API key.
var ErrMalformed = errors.New("malformed API key")

var enc = base32.NewEncoding("abcdefghijklmnopqrstuvwxyz234567").WithPadding(base32.NoPadding)

// Key is a freshly generated key. Plain is shown to the user once and never stored.
type Key struct {
	Plain string
	ID    string // the lookup id, stored in clear
	Hash  string // hex SHA-256 of Plain, stored
}

// Generate returns a new random key.
func Generate() (Key, error) {
	buf := make([]byte, 40)
	if _, err := rand.Read(buf); err != nil {
		return Key{}, fmt.Errorf("apikey: reading random: %w", err)
	}
	id := enc.EncodeToString(buf[:8])[:idLen]
	secret := enc.EncodeToString(buf[8:])
	plain := Prefix + id + "_" + secret
	return Key{Plain: plain, ID: id, Hash: Hash(plain)}, nil
}

// Looks reports whether s has the cap_ prefix, so the auth middleware can
// tell an API key in "Authorization: Bearer" from a JWT.
func Looks(s string) bool { return strings.HasPrefix(s, Prefix) }

// Parse checks the shape of a presented key and returns its lookup id.
func Parse(s string) (string, error) {
	rest, ok := strings.CutPrefix(s, Prefix)
	if !ok {
		return "", fmt.Errorf("%w: does not start with %q", ErrMalformed, Prefix)
	}
	id, secret, ok := strings.Cut(rest, "_")
	if !ok || len(id) != idLen || len(secret) != secretLen || !isBase32(id) || !isBase32(secret) {
		return "", fmt.Errorf("%w: expected %s<%d chars>_<%d chars>", ErrMalformed, Prefix, idLen, secretLen)
	}
	return id, nil
}

func isBase32(s string) bool {
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= '2' && c <= '7') {
			return false
		}
	}
	return true
}

// Hash returns the hex SHA-256 of a plain key.
func Hash(plain string) string { return opaque.Hash(plain) }

// Matches reports in constant time whether plain hashes to storedHash.
func Matches(plain, storedHash string) bool {
	return opaque.Matches(plain, storedHash)
}

// APIKey is the stored record of a key: scoped to one organization and a
// role, optionally to one project.
type APIKey struct {
	ID             string     `json:"id"`
	OrganizationID string     `json:"organizationId"`
	Name           string     `json:"name"`
	Role           string     `json:"role"`
	ProjectID      string     `json:"projectId,omitempty"`
	Hash           string     `json:"-"`
	CreatedBy      string     `json:"createdBy"`
	CreatedAt      time.Time  `json:"createdAt"`
	ExpiresAt      *time.Time `json:"expiresAt,omitempty"`
	LastUsedAt     *time.Time `json:"lastUsedAt,omitempty"`
	RevokedAt      *time.Time `json:"revokedAt,omitempty"`
}

// Usable reports why the key cannot be used at now, or nil when it can.
func (k *APIKey) Usable(now time.Time) error {
	switch {
	case k.RevokedAt != nil:
		return errors.New("API key was revoked")
	case k.ExpiresAt != nil && !now.Before(*k.ExpiresAt):
		return errors.New("API key expired")
	}
	return nil
}

// Check verifies a presented plain key against its stored record at now:
// hash match, not revoked, not expired.
func (k *APIKey) Check(plain string, now time.Time) error {
	if !Matches(plain, k.Hash) {
		return errors.New("API key does not match")
	}
	return k.Usable(now)
}

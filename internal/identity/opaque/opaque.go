// Package opaque makes and checks Capsule's opaque bearer secrets: refresh
// tokens, invitation tokens, agent join tokens and credentials, webhook
// secrets. Each is 32 random bytes shown once; only its SHA-256 is stored.
// 256 random bits need no slow password hash: nobody can search them back
// from the digest, and a fast hash keeps lookups by hash possible.
package opaque

import (
	"crypto/rand"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/base64"
	"encoding/hex"
	"fmt"
)

// New returns prefix followed by 32 random bytes in unpadded base64url.
func New(prefix string) (string, error) {
	b := make([]byte, 32)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("reading random bytes: %w", err)
	}
	return prefix + base64.RawURLEncoding.EncodeToString(b), nil
}

// Hash is the stored form of a secret: its hex SHA-256.
func Hash(secret string) string {
	sum := sha256.Sum256([]byte(secret))
	return hex.EncodeToString(sum[:])
}

// Matches reports in constant time whether secret hashes to stored.
func Matches(secret, stored string) bool {
	return subtle.ConstantTimeCompare([]byte(Hash(secret)), []byte(stored)) == 1
}

// Package totp implements time-based one-time passwords (RFC 6238 over the
// HOTP of RFC 4226, computed by github.com/pquerna/otp) for MFA, and
// one-time recovery codes. What is ours is the policy around it: the
// accepted skew and the last-used step that refuses replays.
//
// Parameters are the ones every authenticator app supports: HMAC-SHA1,
// 6 digits, 30-second steps, a 160-bit secret. Verification accepts the
// previous, current and next step (±30 s of clock drift) and returns the
// matched step; the caller stores it and passes it back as lastStep, so a
// code that was already used (or an older one) is refused: replay protection.
package totp

import (
	"crypto/rand"
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"crypto/subtle"
	"encoding/base32"
	"errors"
	"fmt"
	"hash"
	"net/url"
	"strings"
	"time"

	"github.com/pquerna/otp"
	"github.com/pquerna/otp/hotp"
)

// Defaults for new enrolments.
const (
	Digits     = 6
	Period     = 30 * time.Second
	SecretSize = 20 // bytes, as RFC 4226 recommends
	Skew       = 1  // steps accepted either side of now
)

var b32 = base32.StdEncoding.WithPadding(base32.NoPadding)

// NewSecret returns a random secret in base32, as authenticator apps expect.
func NewSecret() (string, error) {
	b := make([]byte, SecretSize)
	if _, err := rand.Read(b); err != nil {
		return "", fmt.Errorf("totp: reading random: %w", err)
	}
	return b32.EncodeToString(b), nil
}

// DecodeSecret accepts a base32 secret with or without padding, spaces or lower case.
func DecodeSecret(s string) ([]byte, error) {
	s = strings.ToUpper(strings.TrimRight(strings.ReplaceAll(s, " ", ""), "="))
	b, err := b32.DecodeString(s)
	if err != nil || len(b) < 10 {
		return nil, errors.New("totp: secret is not base32 of at least 80 bits")
	}
	return b, nil
}

// URI returns the otpauth:// URI that authenticator apps read from a QR code.
func URI(issuer, account, secret string) string {
	v := url.Values{}
	v.Set("secret", secret)
	v.Set("issuer", issuer)
	v.Set("algorithm", "SHA1")
	v.Set("digits", fmt.Sprint(Digits))
	v.Set("period", fmt.Sprint(int(Period.Seconds())))
	label := url.PathEscape(issuer + ":" + account)
	return "otpauth://totp/" + label + "?" + v.Encode()
}

// Step returns the time step of t.
func Step(t time.Time) int64 { return t.Unix() / int64(Period.Seconds()) }

// HOTP computes the RFC 4226 code of key at counter with the given hash
// (SHA-1, SHA-256 or SHA-512, told apart by digest size) and digits. The
// HMAC truncation is github.com/pquerna/otp's, a well-kept implementation;
// an unsupported hash or digit count yields "", which matches no code.
func HOTP(newHash func() hash.Hash, key []byte, counter int64, digits int) string {
	alg, ok := map[int]otp.Algorithm{sha1.Size: otp.AlgorithmSHA1, sha256.Size: otp.AlgorithmSHA256, sha512.Size: otp.AlgorithmSHA512}[newHash().Size()]
	if !ok || digits < 1 || digits > 10 || counter < 0 {
		return ""
	}
	code, err := hotp.GenerateCodeCustom(base32.StdEncoding.EncodeToString(key), uint64(counter),
		hotp.ValidateOpts{Digits: otp.Digits(digits), Algorithm: alg})
	if err != nil {
		return ""
	}
	return code
}

// Code returns the current 6-digit code of a base32 secret at t.
func Code(secret string, t time.Time) (string, error) {
	key, err := DecodeSecret(secret)
	if err != nil {
		return "", err
	}
	return HOTP(sha1.New, key, Step(t), Digits), nil
}

// ErrInvalidCode is returned for a wrong, malformed or replayed code.
var ErrInvalidCode = errors.New("invalid or already used one-time code")

// Verify checks code against secret at now within ±Skew steps, refusing any
// step at or before lastStep (0 when the secret was never used). It returns
// the matched step to store as the new lastStep.
func Verify(secret, code string, now time.Time, lastStep int64) (int64, error) {
	key, err := DecodeSecret(secret)
	if err != nil {
		return 0, err
	}
	code = strings.ReplaceAll(code, " ", "")
	if len(code) != Digits {
		return 0, ErrInvalidCode
	}
	cur := Step(now)
	for s := cur - Skew; s <= cur+Skew; s++ {
		want := HOTP(sha1.New, key, s, Digits)
		if want != "" && subtle.ConstantTimeCompare([]byte(want), []byte(code)) == 1 {
			if s <= lastStep {
				return 0, ErrInvalidCode
			}
			return s, nil
		}
	}
	return 0, ErrInvalidCode
}

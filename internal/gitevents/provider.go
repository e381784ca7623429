package gitevents

import (
	"crypto/hmac"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"errors"
	"net/http"
	"strings"
)

// Provider reads one Git provider's deliveries: its headers, its signature
// scheme and its payloads.
type Provider interface {
	Name() string
	// Delivery returns the delivery's id and event name from its headers.
	Delivery(h http.Header) (id, event string)
	// Verify checks that the delivery was made with secret; it compares in
	// constant time.
	Verify(h http.Header, body, secret []byte) error
	// Parse reads the payload of an event.
	Parse(event string, body []byte) (*Event, error)
	// Events are the events to subscribe to on the provider's side.
	Events() []string
}

// Providers are the names of the providers deliveries are accepted from.
var Providers = []string{"github", "gitlab", "bitbucket", "gitea"}

// ProviderOf returns the provider called name, or nil. A switch rather
// than a registry map, so the package costs nothing at start-up.
func ProviderOf(name string) Provider {
	switch name {
	case "github":
		return github{}
	case "gitlab":
		return gitlab{}
	case "bitbucket":
		return bitbucket{}
	case "gitea":
		return gitea{}
	}
	return nil
}

// Signature errors name what was wrong, never the expected value.
var (
	errNoSignature  = errors.New("the delivery carries no signature")
	errBadSignature = errors.New("the signature does not match the project's webhook secret")
)

// verifyHMAC checks a hex HMAC-SHA256 of body under secret, after the
// given prefix ("sha256=" or none).
func verifyHMAC(got, prefix string, body, secret []byte) error {
	if got == "" {
		return errNoSignature
	}
	hexSig, ok := strings.CutPrefix(got, prefix)
	if !ok {
		return errBadSignature
	}
	sig, err := hex.DecodeString(strings.TrimSpace(hexSig))
	if err != nil {
		return errBadSignature
	}
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	if !hmac.Equal(sig, m.Sum(nil)) {
		return errBadSignature
	}
	return nil
}

// verifyToken checks a shared-token header (GitLab's) in constant time.
func verifyToken(got string, secret []byte) error {
	if got == "" {
		return errNoSignature
	}
	// Hash both sides first so the comparison takes the same time whatever
	// the token's length.
	a, b := sha256.Sum256([]byte(got)), sha256.Sum256(secret)
	if subtle.ConstantTimeCompare(a[:], b[:]) != 1 {
		return errBadSignature
	}
	return nil
}

// Sign returns the hex HMAC-SHA256 of body under secret, as GitHub, Gitea
// and Bitbucket sign (tests and documentation use it).
func Sign(secret, body []byte) string {
	m := hmac.New(sha256.New, secret)
	m.Write(body)
	return hex.EncodeToString(m.Sum(nil))
}

func firstHeader(h http.Header, names ...string) string {
	for _, n := range names {
		if v := h.Get(n); v != "" {
			return v
		}
	}
	return ""
}

func branchOf(ref string) (branch string, tag bool) {
	if b, ok := strings.CutPrefix(ref, "refs/heads/"); ok {
		return b, false
	}
	if _, ok := strings.CutPrefix(ref, "refs/tags/"); ok {
		return "", true
	}
	return "", false
}

const zeroSHA = "0000000000000000000000000000000000000000"

func nonEmpty(ss ...string) []string {
	var out []string
	for _, s := range ss {
		if s != "" {
			out = append(out, s)
		}
	}
	return out
}

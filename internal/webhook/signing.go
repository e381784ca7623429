package webhook

import (
	"crypto/hmac"
	"crypto/rand"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// The Standard Webhooks headers.
const (
	HeaderID        = "webhook-id"
	HeaderTimestamp = "webhook-timestamp"
	HeaderSignature = "webhook-signature"
)

// SecretPrefix starts every signing secret, as the Standard Webhooks
// libraries expect: they strip it and base64-decode the rest.
const SecretPrefix = "whsec_"

// secretBytes is the size of a new signing secret's key: the specification
// asks for 24 to 64 bytes.
const secretBytes = 32

// NewSecret returns a fresh signing secret, "whsec_" + base64 of 32 random
// bytes.
func NewSecret() string {
	b := make([]byte, secretBytes)
	_, _ = rand.Read(b) // crypto/rand.Read never fails
	return SecretPrefix + base64.StdEncoding.EncodeToString(b)
}

// SecretKey returns the HMAC key of a "whsec_" secret, or an error naming
// what is wrong with it.
func SecretKey(secret string) ([]byte, error) {
	raw, ok := strings.CutPrefix(secret, SecretPrefix)
	if !ok {
		return nil, fmt.Errorf("webhook: signing secret does not start with %q", SecretPrefix)
	}
	key, err := base64.StdEncoding.DecodeString(raw)
	if err != nil {
		return nil, fmt.Errorf("webhook: signing secret is not base64 after %q", SecretPrefix)
	}
	if len(key) < 24 || len(key) > 64 {
		return nil, fmt.Errorf("webhook: signing secret has %d bytes, want 24 to 64", len(key))
	}
	return key, nil
}

// Sign returns the webhook-signature header value for one message:
// "v1," + base64(HMAC-SHA256(key, "<id>.<timestamp>.<body>")).
func Sign(key []byte, msgID string, ts time.Time, body []byte) string {
	m := hmac.New(sha256.New, key)
	m.Write([]byte(msgID + "." + strconv.FormatInt(ts.Unix(), 10) + "."))
	m.Write(body)
	return "v1," + base64.StdEncoding.EncodeToString(m.Sum(nil))
}

// Headers returns the three Standard Webhooks headers of one attempt. The
// timestamp is the attempt's, so a receiver's replay window judges the
// attempt, not when the event first happened.
func Headers(key []byte, msgID string, ts time.Time, body []byte) map[string]string {
	return map[string]string{
		HeaderID:        msgID,
		HeaderTimestamp: strconv.FormatInt(ts.Unix(), 10),
		HeaderSignature: Sign(key, msgID, ts, body),
	}
}

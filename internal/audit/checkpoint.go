package audit

import (
	"crypto/ed25519"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"strconv"
	"time"
)

// Truncated is the problem of a log whose newest entries were deleted: a
// signed checkpoint anchors a sequence number the stored chain no longer
// reaches.
const Truncated = "truncated"

// Checkpoint anchors the head of the chain at a time: the sequence number
// and hash of the last entry, signed so that whoever can rewrite the
// database cannot forge a later one. Deleting the newest entries (which
// the chain alone cannot notice: what remains still links) then leaves a
// checkpoint beyond the stored head, and re-hashing the history leaves a
// checkpoint whose hash no longer matches its entry. Checkpoints are
// written periodically and at shutdown and can be exported, so a copy kept
// elsewhere survives an attacker deleting them from the database too.
type Checkpoint struct {
	Seq       int64     `json:"seq"`
	Hash      string    `json:"hash"`
	Time      time.Time `json:"time"`
	Signature string    `json:"signature"` // base64 Ed25519 over the signed message
}

// message is what a checkpoint's signature covers.
func (c Checkpoint) message() []byte {
	return []byte("capsule audit checkpoint v1\n" + strconv.FormatInt(c.Seq, 10) + "\n" + c.Hash + "\n" +
		c.Time.UTC().Truncate(time.Microsecond).Format(time.RFC3339Nano))
}

// Signer signs and checks checkpoints with an Ed25519 key. The key is
// derived from a server secret (the token signing key), so it needs no key
// file of its own and is never stored in the database; the public key is
// exported with the checkpoints so a copy can be checked offline.
type Signer struct {
	priv ed25519.PrivateKey
}

// NewSigner derives the checkpoint key from secret.
func NewSigner(secret []byte) *Signer {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("capsule audit checkpoint key v1"))
	return &Signer{priv: ed25519.NewKeyFromSeed(m.Sum(nil))}
}

// PublicKey returns the base64 public key that checks the signatures.
func (s *Signer) PublicKey() string {
	return base64.StdEncoding.EncodeToString(s.priv.Public().(ed25519.PublicKey))
}

// Sign returns c signed; its time is stored at microsecond precision.
func (s *Signer) Sign(c Checkpoint) Checkpoint {
	c.Time = c.Time.UTC().Truncate(time.Microsecond)
	c.Signature = base64.StdEncoding.EncodeToString(ed25519.Sign(s.priv, c.message()))
	return c
}

// Check reports whether c carries this key's signature.
func (s *Signer) Check(c Checkpoint) error {
	sig, err := base64.StdEncoding.DecodeString(c.Signature)
	if err != nil || !ed25519.Verify(s.priv.Public().(ed25519.PublicKey), c.message(), sig) {
		return fmt.Errorf("checkpoint of entry %d (signed at %s) does not carry this server's signature", c.Seq, c.Time.UTC().Format(time.RFC3339))
	}
	return nil
}

// CheckAgainst compares a verified chain with the newest checkpoint: a
// checkpoint beyond the chain's head names the truncation; one whose entry
// has another hash names the rewritten entry. at returns the stored hash
// of an entry (ok false when absent). A nil result means the checkpoint
// agrees with the chain.
func CheckAgainst(r Result, c Checkpoint, at func(seq int64) (hash string, ok bool)) *Finding {
	when := c.Time.UTC().Format(time.RFC3339)
	if c.Seq > r.Head.Seq {
		return &Finding{Seq: r.Head.Seq + 1, Problem: Truncated,
			Detail: fmt.Sprintf("entries after seq %d (anchored at %s) are missing: the checkpoint records entry %d", r.Head.Seq, when, c.Seq)}
	}
	if h, ok := at(c.Seq); ok && h != c.Hash {
		return &Finding{Seq: c.Seq, Problem: Altered,
			Detail: fmt.Sprintf("entry %d does not match the checkpoint signed at %s: the chain was rewritten", c.Seq, when)}
	}
	return nil
}

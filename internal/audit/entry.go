// Package audit defines Capsule's tamper-evident audit log: the entry, its
// canonical encoding, the SHA-256 hash chain, and the verifier that names the
// first altered, removed or inserted entry.
//
// Each entry stores PrevHash (the hash of the entry before it, or 64 zeros
// for the first) and Hash = SHA-256(canonical encoding, PrevHash included), so
// editing, deleting or inserting a row breaks the chain at that row. The chain
// is plain SHA-256, not an HMAC, so anyone holding an export can check it: someone who can rewrite the
// database and recompute every later hash, or delete the newest entries, is
// not detected by the chain alone, which is why the server signs
// checkpoints of the head (see Checkpoint) that can be exported and kept
// elsewhere. Archiving for retention keeps the chain
// verifiable: Verify starts from the last archived entry's anchor.
//
// The package is pure; the store appends entries and the HTTP layer builds them.
package audit

import (
	"maps"
	"slices"
	"strings"
	"time"
)

// Outcomes of an audited action.
const (
	OutcomeSuccess = "success"
	OutcomeFailure = "failure"
	OutcomeDenied  = "denied"
)

// Actor types.
const (
	ActorUser   = "user"
	ActorAPIKey = "apikey"
	ActorSystem = "system"
	ActorAnon   = "anonymous"
)

// Entry is one audit log record.
type Entry struct {
	Seq            int64             `json:"seq"`
	Time           time.Time         `json:"time"`
	ActorType      string            `json:"actorType"`
	ActorID        string            `json:"actorId,omitempty"`
	Action         string            `json:"action"`
	TargetType     string            `json:"targetType,omitempty"`
	TargetID       string            `json:"targetId,omitempty"`
	OrganizationID string            `json:"organizationId,omitempty"`
	RequestID      string            `json:"requestId,omitempty"`
	IP             string            `json:"ip,omitempty"`
	UserAgent      string            `json:"userAgent,omitempty"`
	Outcome        string            `json:"outcome"`
	Before         map[string]string `json:"before,omitempty"`
	After          map[string]string `json:"after,omitempty"`
	PrevHash       string            `json:"prevHash"`
	Hash           string            `json:"hash"`
}

// Redacted replaces a sensitive value in a before/after summary.
const Redacted = "[redacted]"

var sensitive = []string{"secret", "password", "token", "value", "key", "credential", "recovery", "kubeconfig"}

// Redact returns a copy of summary in which the value of every field whose
// name suggests a credential or a secret value is replaced by Redacted.
// Callers should not put such values in a summary at all; this is the net.
func Redact(summary map[string]string) map[string]string {
	if summary == nil {
		return nil
	}
	out := maps.Clone(summary)
	for k := range out {
		lk := strings.ToLower(k)
		if slices.ContainsFunc(sensitive, func(s string) bool { return strings.Contains(lk, s) }) {
			out[k] = Redacted
		}
	}
	return out
}

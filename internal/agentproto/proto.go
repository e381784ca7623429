// Package agentproto is the wire protocol between the read-only cluster
// agent (internal/agent) and the control plane (internal/inventory): JSON
// bodies, each with a Version, sent by the agent as HTTP POSTs and
// gzip-compressed. Both sides import it, so the two cannot disagree on a
// field name; docs/notes/agent-protocol.md describes the exchange.
//
// Design decisions:
//   - The transport is plain HTTP POSTs from the agent (outbound only, works
//     through proxies, each request independently retryable); the control
//     plane answers every data request with an Ack that can ask for a resync.
//   - An object travels as its sanitized JSON (the agent strips secrets and
//     noise before storing it), with its kind, namespace, name, uid and
//     resourceVersion lifted out so the control plane indexes it without
//     decoding the body.
//   - A snapshot travels in parts (each under the API's body limit); the
//     last part carries Final and the per-kind checksums.
package agentproto

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"sort"
	"strings"
)

// Version is the protocol version every body carries.
const Version = 1

// HeartbeatInterval is how often an agent reports; the control plane marks
// an agent offline after MissedHeartbeats intervals without one.
const (
	HeartbeatSeconds = 15
	MissedHeartbeats = 3
)

// RegisterRequest exchanges a one-time join token for an agent credential.
type RegisterRequest struct {
	Version        int    `json:"version"`
	Token          string `json:"token"`
	ClusterVersion string `json:"cluster_version"`
	AgentVersion   string `json:"agent_version"`
	Hostname       string `json:"hostname"`
}

// RegisterResponse carries the agent's id and its bearer credential, shown
// once: the control plane keeps only its hash.
type RegisterResponse struct {
	Version    int    `json:"version"`
	AgentID    string `json:"agent_id"`
	ClusterID  string `json:"cluster_id"`
	Credential string `json:"credential"`
}

// Object is one sanitized cluster object.
type Object struct {
	Kind            string          `json:"kind"`
	Namespace       string          `json:"namespace,omitempty"`
	Name            string          `json:"name"`
	UID             string          `json:"uid"`
	ResourceVersion string          `json:"resource_version"`
	Body            json.RawMessage `json:"body,omitempty"`
}

// Key identifies an object within a cluster.
func (o Object) Key() Key { return Key{Kind: o.Kind, Namespace: o.Namespace, Name: o.Name} }

// Key is kind/namespace/name.
type Key struct {
	Kind, Namespace, Name string
}

func (k Key) String() string {
	if k.Namespace == "" {
		return k.Kind + "/" + k.Name
	}
	return k.Kind + "/" + k.Namespace + "/" + k.Name
}

// Delta operations.
const (
	OpUpsert = "upsert"
	OpDelete = "delete"
)

// Delta is one change, numbered in the agent's session.
type Delta struct {
	Seq    uint64 `json:"seq"`
	Op     string `json:"op"`
	Object Object `json:"object"`
}

// SnapshotPart is one part of a full snapshot. Seq is the sequence number
// the snapshot stands at: deltas after it have larger numbers. Kinds lists
// every kind the agent watches, so a kind with no objects is emptied.
type SnapshotPart struct {
	Version   int               `json:"version"`
	Session   string            `json:"session"`
	Seq       uint64            `json:"seq"`
	Part      int               `json:"part"`
	Final     bool              `json:"final"`
	Kinds     []string          `json:"kinds,omitempty"`
	Objects   []Object          `json:"objects"`
	Checksums map[string]string `json:"checksums,omitempty"`
}

// DeltaBatch is consecutive deltas of a session, in order. Checksums are
// the agent's per-kind checksums after the last delta.
type DeltaBatch struct {
	Version   int               `json:"version"`
	Session   string            `json:"session"`
	Deltas    []Delta           `json:"deltas"`
	Checksums map[string]string `json:"checksums,omitempty"`
}

// Heartbeat says the agent is alive and where it stands.
type Heartbeat struct {
	Version        int               `json:"version"`
	Session        string            `json:"session"`
	Seq            uint64            `json:"seq"`
	AgentVersion   string            `json:"agent_version"`
	ClusterVersion string            `json:"cluster_version"`
	Counts         map[string]int    `json:"counts,omitempty"`
	Checksums      map[string]string `json:"checksums,omitempty"`
}

// Ack answers every data request: the highest sequence number applied and
// whether the agent must send a full snapshot (a gap, a checksum mismatch,
// an unknown session).
type Ack struct {
	Version  int    `json:"version"`
	AckedSeq uint64 `json:"acked_seq"`
	Resync   bool   `json:"resync,omitempty"`
	Reason   string `json:"reason,omitempty"`
}

// Meta is what a checksum covers of one object.
type Meta struct {
	UID, ResourceVersion string
}

// Checksum is the hex SHA-256 over the objects' "uid resourceVersion" lines,
// sorted, so two sides holding the same objects agree whatever their order.
func Checksum(objs []Meta) string {
	lines := make([]string, len(objs))
	for i, m := range objs {
		lines[i] = m.UID + " " + m.ResourceVersion + "\n"
	}
	sort.Strings(lines)
	h := sha256.New()
	for _, l := range lines {
		h.Write([]byte(l))
	}
	return hex.EncodeToString(h.Sum(nil))
}

// Check refuses a body of another protocol version.
func Check(version int) error {
	if version != Version {
		return fmt.Errorf("protocol version %d is not supported (this side speaks %d)", version, Version)
	}
	return nil
}

// Validate checks an object's identifying fields.
func (o Object) Validate() error {
	var missing []string
	if o.Kind == "" {
		missing = append(missing, "kind")
	}
	if o.Name == "" {
		missing = append(missing, "name")
	}
	if len(missing) > 0 {
		return fmt.Errorf("object %s: missing %s", o.Key(), strings.Join(missing, ", "))
	}
	if len(o.Body) > 0 && !json.Valid(o.Body) {
		return fmt.Errorf("object %s: body is not valid JSON", o.Key())
	}
	return nil
}

// Package inventory is the control plane's side of the agent protocol: it
// registers agents (a one-time join token for a per-agent credential),
// applies their snapshots and deltas to each cluster's picture, tracks
// their health, and answers what a cluster holds (objects by kind and
// namespace, Helm releases, point-in-time snapshots in the format a preview
// reads as its cluster state).
//
// Design decisions:
//   - The store is the truth: every snapshot and delta batch commits the
//     objects together with the agent's session and sequence number, so a
//     restarted control plane resumes exactly where it acknowledged. Objects
//     are rows (cluster, kind, namespace, name) with their JSON body: a
//     5,000-pod cluster is 5,000 small rows, a delta touches only its rows,
//     and queries by kind and namespace are index scans.
//   - Memory holds, per cluster, only an index (uid and resourceVersion per
//     object) to compute the per-kind checksums the agent sends; it is
//     loaded from the store on first use, and a compare-and-set on the
//     agent's sequence number makes a stale index (another replica applied
//     meanwhile) reload instead of diverge.
//   - Snapshot parts are staged in memory until the final part arrives and
//     then replace the picture in one transaction; a restart or another
//     replica mid-snapshot answers "resync" and the agent starts again.
//   - One agent per cluster: registering a new agent for a cluster revokes
//     the previous one's credential (both are audited), so two agents never
//     overwrite each other's picture.
//   - Join tokens and credentials are random 256-bit secrets stored as
//     SHA-256 hashes (their entropy makes a slow hash unnecessary); a token
//     is consumed in the same transaction that creates the agent.
//   - An agent is offline after agentproto.MissedHeartbeats heartbeat
//     intervals without one; the sweep that notices writes an audit entry
//     in the transaction that records it.
package inventory

import (
	"context"
	"errors"
	"time"

	"github.com/usecapsule/capsule/internal/agentproto"
)

// Agent statuses.
const (
	StatusOnline  = "online"
	StatusOffline = "offline"
	StatusRevoked = "revoked"
	StatusPending = "pending" // registered, no heartbeat yet
)

// Errors the store returns for the service to act on.
var (
	// ErrStale: the stored session or sequence number is not the expected
	// one (another replica applied, or the picture was replaced).
	ErrStale = errors.New("inventory: the cluster's picture moved on")
	// ErrUnchanged: the conditional update matched nothing.
	ErrUnchanged = errors.New("inventory: nothing to change")
)

// JoinToken is a stored one-time token (only its hash).
type JoinToken struct {
	Hash           string
	ClusterID      string
	OrganizationID string
	CreatedBy      string
	ExpiresAt      time.Time
	CreatedAt      time.Time
}

// Agent is one registered agent.
type Agent struct {
	ID             string     `json:"id"`
	ClusterID      string     `json:"clusterId"`
	OrganizationID string     `json:"organizationId"`
	Hostname       string     `json:"hostname"`
	AgentVersion   string     `json:"agentVersion"`
	ClusterVersion string     `json:"clusterVersion"`
	Status         string     `json:"status"`
	RegisteredAt   time.Time  `json:"registeredAt"`
	LastHeartbeat  *time.Time `json:"lastHeartbeat,omitempty"`
	RevokedAt      *time.Time `json:"revokedAt,omitempty"`
	// Session and Seq are where the cluster's picture stands.
	Session string `json:"-"`
	Seq     uint64 `json:"-"`
	// CredentialHash is never shown.
	CredentialHash string `json:"-"`
}

// SnapshotRecord is a stored point-in-time copy of a cluster's state.
type SnapshotRecord struct {
	ID          string         `json:"id"`
	ClusterID   string         `json:"clusterId"`
	CreatedAt   time.Time      `json:"createdAt"`
	CreatedBy   string         `json:"createdBy,omitempty"`
	ObjectCount int            `json:"objectCount"`
	Counts      map[string]int `json:"counts"`
}

// Store persists agents, tokens, pictures and snapshots.
type Store interface {
	CreateJoinToken(ctx context.Context, t JoinToken) error
	// RegisterAgent consumes the token (unknown, used or expired at now:
	// JOIN_TOKEN_INVALID) and creates a, revoking the cluster's other
	// agents, in one transaction; a's ClusterID and OrganizationID are set
	// from the token.
	RegisterAgent(ctx context.Context, tokenHash string, now time.Time, a *Agent) error
	GetAgent(ctx context.Context, id string) (*Agent, error)
	ListAgents(ctx context.Context, clusterID string) ([]Agent, error)
	// Heartbeat records a heartbeat and the versions it reported and marks
	// the agent online.
	Heartbeat(ctx context.Context, id string, at time.Time, agentVersion, clusterVersion string) error
	// StaleAgents returns the online or pending agents whose last
	// heartbeat (or registration) is before cutoff.
	StaleAgents(ctx context.Context, cutoff time.Time) ([]Agent, error)
	// MarkOffline marks one stale agent offline; ErrUnchanged when it is no
	// longer stale (a heartbeat, or another replica, came first), so that
	// the transaction and its audit entry roll back.
	MarkOffline(ctx context.Context, id string, cutoff time.Time) error
	RevokeAgent(ctx context.Context, id string, at time.Time) error

	// ReplacePicture swaps the cluster's objects of kinds for objs and sets
	// the agent's session and sequence number, in one transaction.
	ReplacePicture(ctx context.Context, agentID, clusterID string, kinds []string, objs []agentproto.Object, session string, seq uint64) error
	// ApplyDeltas applies deltas and moves the agent's sequence number from
	// fromSeq to the last delta's, in one transaction; ErrStale when the
	// stored (session, seq) is not (session, fromSeq).
	ApplyDeltas(ctx context.Context, agentID, clusterID, session string, fromSeq uint64, deltas []agentproto.Delta) error
	// LoadIndex returns the uid and resourceVersion of every object.
	LoadIndex(ctx context.Context, clusterID string) (map[string]map[agentproto.Key]agentproto.Meta, error)
	// Objects lists objects, optionally of one kind and namespace, ordered
	// by kind, namespace and name.
	Objects(ctx context.Context, clusterID, kind, namespace string) ([]agentproto.Object, error)
	// ObjectsAfter is one page of Objects: at most limit objects whose
	// (kind, namespace, name) comes after after's.
	ObjectsAfter(ctx context.Context, clusterID, kind, namespace string, after agentproto.Key, limit int) ([]agentproto.Object, error)
	// Counts returns the number of objects per kind.
	Counts(ctx context.Context, clusterID string) (map[string]int, error)

	CreateSnapshot(ctx context.Context, rec *SnapshotRecord, body []byte) error
	ListSnapshots(ctx context.Context, clusterID string) ([]SnapshotRecord, error)
	GetSnapshot(ctx context.Context, clusterID, id string) (*SnapshotRecord, []byte, error)
}

package inventory

import (
	"context"
	"crypto/subtle"
	"errors"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/google/uuid"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identity/opaque"
)

// Secret prefixes, so a leaked value is recognisable in logs and scanners.
const (
	JoinTokenPrefix  = "cjt_"
	CredentialPrefix = "cag_"
)

// DefaultJoinTokenTTL is how long a join token stays usable.
const DefaultJoinTokenTTL = time.Hour

// Config holds the service's dependencies.
type Config struct {
	Store Store
	// Audit returns ctx carrying an audit unit for e: writes under it
	// commit e with them (identity.AuditLog.WithAuditUnit). Nil: no audit.
	Audit func(ctx context.Context, e audit.Entry) context.Context
	Now   func() time.Time
	// Heartbeat is the agents' heartbeat interval (agentproto's default).
	Heartbeat time.Duration
}

// Service is the control plane's inventory.
type Service struct {
	store     Store
	audit     func(ctx context.Context, e audit.Entry) context.Context
	now       func() time.Time
	heartbeat time.Duration

	mu       sync.Mutex
	clusters map[string]*picture // by cluster id
	staging  map[string]*staged  // snapshot parts by agent id
}

// New returns the service.
func New(cfg Config) *Service {
	s := &Service{store: cfg.Store, audit: cfg.Audit, now: cfg.Now, heartbeat: cfg.Heartbeat,
		clusters: map[string]*picture{}, staging: map[string]*staged{}}
	if s.now == nil {
		s.now = time.Now
	}
	if s.audit == nil {
		s.audit = func(ctx context.Context, _ audit.Entry) context.Context { return ctx }
	}
	if s.heartbeat <= 0 {
		s.heartbeat = agentproto.HeartbeatSeconds * time.Second
	}
	return s
}

// Store returns the service's store.
func (s *Service) Store() Store { return s.store }

// newSecret ignores the error: crypto/rand never fails since Go 1.24.
func newSecret(prefix string) string {
	s, _ := opaque.New(prefix)
	return s
}

// HashSecret is the stored form of a join token or credential.
func HashSecret(secret string) string { return opaque.Hash(secret) }

// IssueJoinToken stores a new one-time token for a cluster and returns it
// (shown once) with its expiry.
func (s *Service) IssueJoinToken(ctx context.Context, clusterID, orgID, createdBy string, ttl time.Duration) (string, time.Time, error) {
	if ttl <= 0 {
		ttl = DefaultJoinTokenTTL
	}
	tok := newSecret(JoinTokenPrefix)
	now := s.now().UTC()
	t := JoinToken{Hash: HashSecret(tok), ClusterID: clusterID, OrganizationID: orgID, CreatedBy: createdBy,
		CreatedAt: now, ExpiresAt: now.Add(ttl)}
	if err := s.store.CreateJoinToken(ctx, t); err != nil {
		return "", time.Time{}, err
	}
	return tok, t.ExpiresAt, nil
}

func invalidToken() error {
	return capsule.Errorf(capsule.KindUnauthenticated, capsule.CodeJoinTokenInvalid, "the join token is unknown, expired or already used; create a new one with `capsule clusters join-token`")
}

func invalidCredential() error {
	return capsule.Errorf(capsule.KindUnauthenticated, capsule.CodeAgentCredentialInvalid, "the agent credential is unknown or revoked; register the agent again with a new join token")
}

// ProtocolError is the error of a body the service cannot use.
func ProtocolError(format string, args ...any) error {
	return capsule.Errorf(capsule.KindInvalid, capsule.CodeAgentProtocol, format, args...)
}

// Register exchanges a join token for an agent and its credential.
func (s *Service) Register(ctx context.Context, req agentproto.RegisterRequest, ip string) (*agentproto.RegisterResponse, error) {
	if err := agentproto.Check(req.Version); err != nil {
		return nil, ProtocolError("%v", err)
	}
	if !strings.HasPrefix(req.Token, JoinTokenPrefix) {
		return nil, invalidToken()
	}
	cred := newSecret(CredentialPrefix)
	now := s.now().UTC()
	a := &Agent{ID: uuid.Must(uuid.NewV7()).String(), Hostname: clip(req.Hostname, 253), AgentVersion: clip(req.AgentVersion, 64),
		ClusterVersion: clip(req.ClusterVersion, 64), Status: StatusPending, RegisteredAt: now, CredentialHash: HashSecret(cred)}
	actx := s.audit(ctx, audit.Entry{ActorType: audit.ActorSystem, ActorID: "agent:" + a.ID, Action: "agent.register",
		TargetType: "agent", TargetID: a.ID, IP: ip, Outcome: audit.OutcomeSuccess,
		After: map[string]string{"hostname": a.Hostname, "agentVersion": a.AgentVersion, "clusterVersion": a.ClusterVersion}})
	if err := s.store.RegisterAgent(actx, HashSecret(req.Token), now, a); err != nil {
		if errors.Is(err, ErrUnchanged) {
			return nil, invalidToken()
		}
		return nil, err
	}
	s.mu.Lock()
	delete(s.clusters, a.ClusterID) // the new agent starts the picture's next session
	s.mu.Unlock()
	return &agentproto.RegisterResponse{Version: agentproto.Version, AgentID: a.ID, ClusterID: a.ClusterID, Credential: cred}, nil
}

func clip(s string, n int) string {
	if len(s) > n {
		return s[:n]
	}
	return s
}

// Authenticate returns the agent whose id and credential these are.
func (s *Service) Authenticate(ctx context.Context, agentID, credential string) (*Agent, error) {
	if agentID == "" || !strings.HasPrefix(credential, CredentialPrefix) {
		return nil, invalidCredential()
	}
	a, err := s.store.GetAgent(ctx, agentID)
	if err != nil {
		var ce *capsule.Error
		if errors.As(err, &ce) && ce.Kind == capsule.KindNotFound {
			return nil, invalidCredential()
		}
		return nil, err
	}
	if subtle.ConstantTimeCompare([]byte(a.CredentialHash), []byte(HashSecret(credential))) != 1 || a.RevokedAt != nil {
		return nil, invalidCredential()
	}
	return a, nil
}

// Revoke revokes an agent's credential.
func (s *Service) Revoke(ctx context.Context, agentID string) error {
	if err := s.store.RevokeAgent(ctx, agentID, s.now().UTC()); err != nil {
		return err
	}
	s.mu.Lock()
	delete(s.staging, agentID)
	s.mu.Unlock()
	return nil
}

// offlineAfter is how long without a heartbeat makes an agent offline.
func (s *Service) offlineAfter() time.Duration {
	return time.Duration(agentproto.MissedHeartbeats) * s.heartbeat
}

// SweepOffline marks the agents that missed their heartbeats offline, each
// with an audit entry, and returns how many it marked.
func (s *Service) SweepOffline(ctx context.Context) (int, error) {
	cutoff := s.now().UTC().Add(-s.offlineAfter())
	stale, err := s.store.StaleAgents(ctx, cutoff)
	if err != nil {
		return 0, err
	}
	n := 0
	for _, a := range stale {
		last := "never"
		if a.LastHeartbeat != nil {
			last = a.LastHeartbeat.Format(time.RFC3339)
		}
		actx := s.audit(ctx, audit.Entry{ActorType: audit.ActorSystem, Action: "agent.offline", TargetType: "agent", TargetID: a.ID,
			OrganizationID: a.OrganizationID, Outcome: audit.OutcomeSuccess,
			Before: map[string]string{"status": a.Status}, After: map[string]string{"status": StatusOffline, "lastHeartbeat": last, "clusterId": a.ClusterID}})
		err := s.store.MarkOffline(actx, a.ID, cutoff)
		if errors.Is(err, ErrUnchanged) {
			continue
		}
		if err != nil {
			return n, fmt.Errorf("inventory: mark agent %s offline: %w", a.ID, err)
		}
		n++
	}
	return n, nil
}

// RunSweeper sweeps every heartbeat interval until ctx ends.
func (s *Service) RunSweeper(ctx context.Context, logf func(msg string, args ...any)) {
	t := time.NewTicker(s.heartbeat)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if _, err := s.SweepOffline(ctx); err != nil && ctx.Err() == nil && logf != nil {
			logf("inventory: offline sweep failed", "error", err)
		}
	}
}

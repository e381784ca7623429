package inventory

import (
	"context"
	"errors"
	"fmt"
	"sort"
	"sync"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/agentproto"
	"github.com/usecapsule/capsule/internal/audit"
)

// maxStagedBytes bounds one agent's snapshot parts held in memory, and
// stagedTTL how long an unfinished snapshot is kept (an agent that died
// mid-snapshot starts a new one when it comes back).
const (
	maxStagedBytes = 256 << 20
	stagedTTL      = 10 * time.Minute
)

// picture is the in-memory index of one cluster: enough to compute its
// checksums and to order deltas, never the objects themselves.
type picture struct {
	mu      sync.Mutex
	loaded  bool
	agentID string
	session string
	seq     uint64
	index   map[string]map[agentproto.Key]agentproto.Meta
}

// staged is a snapshot being received.
type staged struct {
	started time.Time
	session string
	seq     uint64
	next    int
	bytes   int
	objects []agentproto.Object
}

func (s *Service) picture(clusterID string) *picture {
	s.mu.Lock()
	defer s.mu.Unlock()
	p := s.clusters[clusterID]
	if p == nil {
		p = &picture{}
		s.clusters[clusterID] = p
	}
	return p
}

// load fills p from the store (p.mu held). a is freshly read, so its
// session and sequence number are the stored ones.
func (s *Service) load(ctx context.Context, p *picture, a *Agent) error {
	if p.loaded {
		return nil
	}
	idx, err := s.store.LoadIndex(ctx, a.ClusterID)
	if err != nil {
		return err
	}
	p.index, p.agentID, p.session, p.seq, p.loaded = idx, a.ID, a.Session, a.Seq, true
	return nil
}

func resync(seq uint64, format string, args ...any) *agentproto.Ack {
	return &agentproto.Ack{Version: agentproto.Version, AckedSeq: seq, Resync: true, Reason: fmt.Sprintf(format, args...)}
}

func ack(seq uint64) *agentproto.Ack {
	return &agentproto.Ack{Version: agentproto.Version, AckedSeq: seq}
}

// Snapshot receives one part of a snapshot; the final part replaces the
// cluster's picture.
func (s *Service) Snapshot(ctx context.Context, a *Agent, part agentproto.SnapshotPart) (*agentproto.Ack, error) {
	if err := agentproto.Check(part.Version); err != nil {
		return nil, ProtocolError("%v", err)
	}
	if part.Session == "" {
		return nil, ProtocolError("snapshot part has no session")
	}
	size := 0
	for _, o := range part.Objects {
		if err := o.Validate(); err != nil {
			return nil, ProtocolError("snapshot part %d: %v", part.Part, err)
		}
		size += len(o.Body)
	}
	now := s.now()
	s.mu.Lock()
	for id, old := range s.staging {
		if now.Sub(old.started) > stagedTTL {
			delete(s.staging, id)
		}
	}
	st := s.staging[a.ID]
	switch {
	case part.Part == 0:
		st = &staged{started: now, session: part.Session, seq: part.Seq}
		s.staging[a.ID] = st
	case st == nil || st.session != part.Session || st.next != part.Part:
		delete(s.staging, a.ID)
		s.mu.Unlock()
		return resync(0, "snapshot part %d of session %s was not expected; start the snapshot again", part.Part, part.Session), nil
	}
	st.next++
	st.bytes += size
	if st.bytes > maxStagedBytes {
		delete(s.staging, a.ID)
		s.mu.Unlock()
		return nil, capsule.Errorf(capsule.KindTooLarge, capsule.CodeTooLarge, "the snapshot is over %d bytes", maxStagedBytes)
	}
	st.objects = append(st.objects, part.Objects...)
	if !part.Final {
		s.mu.Unlock()
		return ack(0), nil
	}
	delete(s.staging, a.ID)
	s.mu.Unlock()

	p := s.picture(a.ClusterID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := s.store.ReplacePicture(ctx, a.ID, a.ClusterID, part.Kinds, st.objects, st.session, st.seq); err != nil {
		s.forgetLocked(p)
		return nil, err
	}
	idx := map[string]map[agentproto.Key]agentproto.Meta{}
	for _, o := range st.objects {
		if idx[o.Kind] == nil {
			idx[o.Kind] = map[agentproto.Key]agentproto.Meta{}
		}
		idx[o.Kind][o.Key()] = agentproto.Meta{UID: o.UID, ResourceVersion: o.ResourceVersion}
	}
	p.index, p.agentID, p.session, p.seq, p.loaded = idx, a.ID, st.session, st.seq, true
	return ack(st.seq), nil
}

// forgetLocked marks p to be reloaded (p.mu held).
func (s *Service) forgetLocked(p *picture) { p.loaded = false }

// Deltas applies a batch in order; a gap, an unknown session or a checksum
// that differs afterwards asks the agent for a resync.
func (s *Service) Deltas(ctx context.Context, a *Agent, b agentproto.DeltaBatch) (*agentproto.Ack, error) {
	if err := agentproto.Check(b.Version); err != nil {
		return nil, ProtocolError("%v", err)
	}
	for _, d := range b.Deltas {
		if d.Op != agentproto.OpUpsert && d.Op != agentproto.OpDelete {
			return nil, ProtocolError("delta %d: op %q is neither %q nor %q", d.Seq, d.Op, agentproto.OpUpsert, agentproto.OpDelete)
		}
		if err := d.Object.Validate(); err != nil {
			return nil, ProtocolError("delta %d: %v", d.Seq, err)
		}
	}
	p := s.picture(a.ClusterID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := s.load(ctx, p, a); err != nil {
		return nil, err
	}
	if p.agentID != a.ID || p.session != b.Session || b.Session == "" {
		return resync(p.seq, "session %q is not the cluster's current picture", b.Session), nil
	}
	var todo []agentproto.Delta
	next := p.seq + 1
	for _, d := range b.Deltas {
		if d.Seq < next {
			continue // already applied: a retried request
		}
		if d.Seq != next {
			return resync(p.seq, "delta %d follows %d: changes were lost", d.Seq, next-1), nil
		}
		todo = append(todo, d)
		next++
	}
	if len(todo) > 0 {
		err := s.store.ApplyDeltas(ctx, a.ID, a.ClusterID, p.session, p.seq, todo)
		if errors.Is(err, ErrStale) {
			s.forgetLocked(p)
			return resync(p.seq, "the stored picture moved on"), nil
		}
		if err != nil {
			return nil, err
		}
		for _, d := range todo {
			p.apply(d)
		}
		p.seq = todo[len(todo)-1].Seq
	}
	if kind, ok := p.differs(b.Checksums); !ok {
		return resync(p.seq, "the checksum of %s differs after delta %d", kind, p.seq), nil
	}
	return ack(p.seq), nil
}

func (p *picture) apply(d agentproto.Delta) {
	idx := p.index[d.Object.Kind]
	if idx == nil {
		idx = map[agentproto.Key]agentproto.Meta{}
		p.index[d.Object.Kind] = idx
	}
	if d.Op == agentproto.OpDelete {
		delete(idx, d.Object.Key())
		return
	}
	idx[d.Object.Key()] = agentproto.Meta{UID: d.Object.UID, ResourceVersion: d.Object.ResourceVersion}
}

// checksum is the picture's checksum of one kind.
func (p *picture) checksum(kind string) string {
	metas := make([]agentproto.Meta, 0, len(p.index[kind]))
	for _, m := range p.index[kind] {
		metas = append(metas, m)
	}
	return agentproto.Checksum(metas)
}

// differs compares the agent's checksums with the picture's; it returns
// the first kind (in name order) that differs and false.
func (p *picture) differs(sums map[string]string) (string, bool) {
	kinds := make([]string, 0, len(sums))
	for k := range sums {
		kinds = append(kinds, k)
	}
	sort.Strings(kinds)
	for _, k := range kinds {
		if p.checksum(k) != sums[k] {
			return k, false
		}
	}
	return "", true
}

// Heartbeat records that the agent is alive; when it names the current
// session at the picture's sequence number, its checksums are compared.
func (s *Service) Heartbeat(ctx context.Context, a *Agent, hb agentproto.Heartbeat) (*agentproto.Ack, error) {
	if err := agentproto.Check(hb.Version); err != nil {
		return nil, ProtocolError("%v", err)
	}
	hctx := ctx
	if a.Status == StatusOffline {
		hctx = s.audit(ctx, audit.Entry{ActorType: audit.ActorSystem, ActorID: "agent:" + a.ID, Action: "agent.online", TargetType: "agent",
			TargetID: a.ID, OrganizationID: a.OrganizationID, Outcome: audit.OutcomeSuccess,
			Before: map[string]string{"status": StatusOffline}, After: map[string]string{"status": StatusOnline}})
	}
	if err := s.store.Heartbeat(hctx, a.ID, s.now().UTC(), clip(hb.AgentVersion, 64), clip(hb.ClusterVersion, 64)); err != nil {
		return nil, err
	}
	p := s.picture(a.ClusterID)
	p.mu.Lock()
	defer p.mu.Unlock()
	if err := s.load(ctx, p, a); err != nil {
		return nil, err
	}
	if hb.Session == "" {
		return ack(p.seq), nil // the agent has not finished its first snapshot
	}
	if p.agentID != a.ID || p.session != hb.Session || hb.Seq < p.seq {
		return resync(p.seq, "session %q at %d is not the cluster's current picture", hb.Session, hb.Seq), nil
	}
	if hb.Seq == p.seq {
		if kind, ok := p.differs(hb.Checksums); !ok {
			return resync(p.seq, "the checksum of %s differs at %d", kind, p.seq), nil
		}
	}
	return ack(p.seq), nil
}

package agent

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"sync"
	"time"

	"github.com/usecapsule/capsule/internal/agentproto"
)

// Sizes of what the agent sends in one request. A part's body is gzipped
// before it goes (Kubernetes JSON shrinks about tenfold), which keeps it
// well under the control plane's 1 MiB request limit.
const (
	partBytes     = 2 << 20
	batchDeltas   = 500
	batchBytes    = 2 << 20
	coalesceDelay = 100 * time.Millisecond
)

// session is the current snapshot's id: deltas and heartbeats name it, so
// the control plane knows which picture they continue.
type session struct {
	mu sync.Mutex
	id string
}

func (s *session) get() string   { s.mu.Lock(); defer s.mu.Unlock(); return s.id }
func (s *session) set(id string) { s.mu.Lock(); s.id = id; s.mu.Unlock() }

func newSessionID() string {
	b := make([]byte, 12)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}

// stream sends snapshots and deltas until ctx ends.
func (a *Agent) stream(ctx context.Context) error {
	attempt := 0
	for ctx.Err() == nil {
		var err error
		if a.col.buf.needsResync() {
			err = a.sendSnapshot(ctx)
		} else {
			var sent bool
			sent, err = a.sendDeltas(ctx)
			if err == nil && !sent {
				select {
				case <-ctx.Done():
				case <-a.col.buf.signal:
					// Let a burst of changes gather into one request.
					time.Sleep(coalesceDelay)
				}
				continue
			}
		}
		if err == nil {
			attempt = 0
			continue
		}
		if ctx.Err() != nil {
			break
		}
		if refused(err) {
			a.log.Error("agent: the control plane refuses this agent's credential; register it again with a new join token", "error", err)
		} else {
			a.log.Warn("agent: sync failed, retrying", "attempt", attempt+1, "error", err)
		}
		if !a.sleep(ctx, attempt) {
			break
		}
		attempt++
	}
	return nil
}

// sendSnapshot sends every object in parts; the control plane swaps its
// picture when the final part arrives.
func (a *Agent) sendSnapshot(ctx context.Context) error {
	seq, sums := a.col.buf.startSnapshot()
	// The session becomes the agent's only once the control plane holds the
	// whole snapshot: until then heartbeats name the previous one.
	id := newSessionID()
	part := agentproto.SnapshotPart{Version: agentproto.Version, Session: id, Seq: seq}
	size := 0
	flush := func(final bool) error {
		if final {
			part.Final, part.Checksums, part.Kinds = true, sums, a.col.kinds
		}
		ack, err := a.client.send(ctx, "snapshot", part)
		if err != nil {
			return err
		}
		if ack.Resync {
			return fmt.Errorf("agent: the control plane refused snapshot part %d: %s", part.Part, ack.Reason)
		}
		part.Part++
		part.Objects, size = part.Objects[:0], 0
		return nil
	}
	err := a.col.each(func(o agentproto.Object) error {
		part.Objects = append(part.Objects, o)
		size += len(o.Body)
		if size >= partBytes {
			return flush(false)
		}
		return nil
	})
	if err == nil {
		err = flush(true)
	}
	if err != nil {
		a.col.buf.markResync()
		return err
	}
	a.sess.set(id)
	a.log.Info("agent: snapshot sent", "seq", seq, "parts", part.Part)
	return nil
}

// sendDeltas sends one batch; it reports false when there was none.
func (a *Agent) sendDeltas(ctx context.Context) (bool, error) {
	deltas, sums := a.col.buf.batch(batchDeltas, batchBytes)
	if len(deltas) == 0 {
		return false, nil
	}
	ack, err := a.client.send(ctx, "deltas", agentproto.DeltaBatch{Version: agentproto.Version, Session: a.sess.get(), Deltas: deltas, Checksums: sums})
	if err != nil {
		return true, err
	}
	a.col.buf.acked(ack.AckedSeq)
	if ack.Resync {
		a.log.Info("agent: the control plane asked for a resync", "reason", ack.Reason)
		a.col.buf.markResync()
	}
	return true, nil
}

// heartbeats reports every interval; a refused or failed one is logged and
// the next is sent on time (the delta stream does its own backing off).
func (a *Agent) heartbeats(ctx context.Context) {
	t := time.NewTicker(a.opts.Heartbeat)
	defer t.Stop()
	for {
		a.heartbeat(ctx)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

func (a *Agent) heartbeat(ctx context.Context) {
	seq, sums, counts := a.col.buf.position()
	hb := agentproto.Heartbeat{Version: agentproto.Version, Session: a.sess.get(), Seq: seq,
		AgentVersion: a.opts.Version, ClusterVersion: a.clusterVersion, Counts: counts, Checksums: sums}
	ack, err := a.client.send(ctx, "heartbeat", hb)
	if err != nil {
		if ctx.Err() == nil {
			a.log.Warn("agent: heartbeat failed", "error", err)
		}
		return
	}
	if ack.Resync && hb.Session != "" {
		a.log.Info("agent: the control plane asked for a resync", "reason", ack.Reason)
		a.col.buf.markResync()
	}
}

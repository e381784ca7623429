package agent

import (
	"sync"

	"github.com/usecapsule/capsule/internal/agentproto"
)

// buffer numbers the agent's changes and holds those the control plane has
// not acknowledged yet. It is bounded: past its limit (a long disconnection
// in a busy cluster) it drops every pending delta and marks a resync, so the
// agent neither blocks its informers nor grows without bound; a full
// snapshot then replaces what was dropped.
//
// It also keeps the agent's index (uid and resourceVersion of every object,
// per kind) in step with the sequence numbers, so the checksums it hands out
// describe exactly the state after a given delta.
type buffer struct {
	mu       sync.Mutex
	seq      uint64
	pending  []agentproto.Delta
	bytes    int
	limit    int // deltas
	maxBytes int
	resync   bool
	index    map[string]map[agentproto.Key]agentproto.Meta
	signal   chan struct{}
	dropped  int // deltas dropped by overflows, for the log
}

func newBuffer(limit, maxBytes int, kinds []string) *buffer {
	b := &buffer{limit: limit, maxBytes: maxBytes, resync: true, signal: make(chan struct{}, 1),
		index: map[string]map[agentproto.Key]agentproto.Meta{}}
	for _, k := range kinds {
		b.index[k] = map[agentproto.Key]agentproto.Meta{}
	}
	return b
}

// add records one change.
func (b *buffer) add(op string, o agentproto.Object) {
	b.mu.Lock()
	defer b.mu.Unlock()
	idx := b.index[o.Kind]
	if idx == nil {
		idx = map[agentproto.Key]agentproto.Meta{}
		b.index[o.Kind] = idx
	}
	if op == agentproto.OpDelete {
		delete(idx, o.Key())
		o.Body = nil
	} else {
		idx[o.Key()] = agentproto.Meta{UID: o.UID, ResourceVersion: o.ResourceVersion}
	}
	b.seq++
	if b.resync {
		return // the coming snapshot carries it
	}
	if len(b.pending) >= b.limit || b.bytes+len(o.Body) > b.maxBytes {
		b.dropped += len(b.pending)
		b.pending, b.bytes, b.resync = nil, 0, true
		return
	}
	b.pending = append(b.pending, agentproto.Delta{Seq: b.seq, Op: op, Object: o})
	b.bytes += len(o.Body)
	b.wake()
}

// batch returns up to max pending deltas (at most maxBytes of bodies, at
// least one), without removing them, and the checksums when the batch
// drains the buffer (nil otherwise: the state after its last delta is not
// the current one).
func (b *buffer) batch(max, maxBytes int) ([]agentproto.Delta, map[string]string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.resync {
		return nil, nil
	}
	n, size := 0, 0
	for n < len(b.pending) && n < max && (n == 0 || size+len(b.pending[n].Object.Body) <= maxBytes) {
		size += len(b.pending[n].Object.Body)
		n++
	}
	out := append([]agentproto.Delta(nil), b.pending[:n]...)
	if n == len(b.pending) {
		return out, b.checksumsLocked()
	}
	return out, nil
}

// acked removes the deltas up to seq.
func (b *buffer) acked(seq uint64) {
	b.mu.Lock()
	defer b.mu.Unlock()
	i := 0
	for i < len(b.pending) && b.pending[i].Seq <= seq {
		b.bytes -= len(b.pending[i].Object.Body)
		i++
	}
	b.pending = b.pending[i:]
}

// markResync drops what is pending: the next thing sent is a snapshot.
func (b *buffer) markResync() {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending, b.bytes, b.resync = nil, 0, true
	b.wake()
}

// wake tells the sender there is something to do.
func (b *buffer) wake() {
	select {
	case b.signal <- struct{}{}:
	default:
	}
}

// needsResync reports whether a snapshot must be sent.
func (b *buffer) needsResync() bool {
	b.mu.Lock()
	defer b.mu.Unlock()
	return b.resync
}

// startSnapshot clears the resync mark and returns the sequence number and
// checksums the snapshot stands at; changes from now on are pending deltas.
func (b *buffer) startSnapshot() (uint64, map[string]string) {
	b.mu.Lock()
	defer b.mu.Unlock()
	b.pending, b.bytes, b.resync = nil, 0, false
	return b.seq, b.checksumsLocked()
}

// position returns the current sequence number, the checksums and counts
// when nothing is pending (a heartbeat then lets the control plane compare
// its picture), else only the sequence number.
func (b *buffer) position() (uint64, map[string]string, map[string]int) {
	b.mu.Lock()
	defer b.mu.Unlock()
	counts := make(map[string]int, len(b.index))
	for k, idx := range b.index {
		counts[k] = len(idx)
	}
	if len(b.pending) > 0 || b.resync {
		return b.seq, nil, counts
	}
	return b.seq, b.checksumsLocked(), counts
}

func (b *buffer) checksumsLocked() map[string]string {
	out := make(map[string]string, len(b.index))
	for kind, idx := range b.index {
		metas := make([]agentproto.Meta, 0, len(idx))
		for _, m := range idx {
			metas = append(metas, m)
		}
		out[kind] = agentproto.Checksum(metas)
	}
	return out
}

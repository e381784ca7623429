package events

import (
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"slices"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed ends the subscriptions of a closed hub.
var ErrClosed = errors.New("events: the hub is closed")

// DefaultBuffer is a subscriber's queue length when Options leave it 0.
const DefaultBuffer = 256

// Relay carries events between the replicas of the control plane.
type Relay interface {
	// Send gives e to every replica, this one included, numbering it.
	Send(ctx context.Context, e Event) error
	// Listen calls deliver with every event any replica sent, in one
	// order, until ctx ends. It calls resync when events may have been
	// lost (after a reconnect).
	Listen(ctx context.Context, deliver func(Event), resync func()) error
}

// Options configure a Hub.
type Options struct {
	// Buffer is each subscriber's queue length (default DefaultBuffer).
	Buffer int
	// Relay, when set, carries events between replicas; nil delivers in
	// this process only.
	Relay  Relay
	Logger *slog.Logger
	// Now is the clock for events published without a time.
	Now func() time.Time
}

// Hub fans events out to subscribers.
type Hub struct {
	opts   Options
	log    *slog.Logger
	seq    atomic.Int64
	mu     sync.RWMutex
	subs   map[*Subscription]struct{}
	closed bool
	stop   context.CancelFunc
	done   chan struct{}
}

// NewHub returns a hub; with a relay it listens until Close.
func NewHub(opts Options) *Hub {
	if opts.Buffer <= 0 {
		opts.Buffer = DefaultBuffer
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	log := opts.Logger
	if log == nil {
		log = slog.New(slog.NewTextHandler(io.Discard, nil))
	}
	h := &Hub{opts: opts, log: log, subs: map[*Subscription]struct{}{}, done: make(chan struct{})}
	ctx, cancel := context.WithCancel(context.Background())
	h.stop = cancel
	if opts.Relay == nil {
		close(h.done)
		return h
	}
	go func() {
		defer close(h.done)
		err := opts.Relay.Listen(ctx, h.deliver, h.resync)
		if err != nil && ctx.Err() == nil {
			h.log.Error("event relay stopped", "error", err.Error())
		}
	}()
	return h
}

// Publish sends e to every matching subscriber of every replica. It never
// waits for a subscriber; it fails only when the relay cannot send.
func (h *Hub) Publish(ctx context.Context, e Event) error {
	if !slices.Contains(Types, e.Type) {
		return fmt.Errorf("events: %q is not an event type a publisher may send", e.Type)
	}
	e.clip()
	if e.Time.IsZero() {
		e.Time = h.opts.Now()
	}
	e.Time = e.Time.UTC()
	if h.opts.Relay != nil {
		return h.opts.Relay.Send(ctx, e)
	}
	e.Seq = h.seq.Add(1)
	h.deliver(e)
	return nil
}

// deliver offers e to every subscriber whose match accepts it.
func (h *Hub) deliver(e Event) {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.subs {
		if s.match(e) {
			s.offer(e)
		}
	}
}

// resync tells every subscriber it may have missed events.
func (h *Hub) resync() {
	h.mu.RLock()
	defer h.mu.RUnlock()
	for s := range h.subs {
		s.lost()
	}
}

// Subscribe returns a subscription to the events match accepts (nil: all).
// match runs in the publisher's goroutine: it must be quick and must not
// block.
func (h *Hub) Subscribe(match func(Event) bool) *Subscription {
	if match == nil {
		match = func(Event) bool { return true }
	}
	s := &Subscription{hub: h, match: match, size: h.opts.Buffer, ready: make(chan struct{}, 1)}
	h.mu.Lock()
	defer h.mu.Unlock()
	if h.closed {
		s.closed = true
		return s
	}
	h.subs[s] = struct{}{}
	return s
}

// Close ends every subscription (their Next returns ErrClosed) and stops
// the relay listener.
func (h *Hub) Close() {
	h.mu.Lock()
	if h.closed {
		h.mu.Unlock()
		<-h.done
		return
	}
	h.closed = true
	subs := h.subs
	h.subs = map[*Subscription]struct{}{}
	h.mu.Unlock()
	for s := range subs {
		s.end()
	}
	h.stop()
	<-h.done
}

// Subscription is one subscriber's bounded queue.
type Subscription struct {
	hub   *Hub
	match func(Event) bool
	size  int
	ready chan struct{}

	mu     sync.Mutex
	queue  []Event
	missed int64 // events lost since the queue was full; >0 means lagged
	lagged bool  // a stream.lagged is owed (missed may be 0: unknown)
	closed bool
}

func (s *Subscription) signal() {
	select {
	case s.ready <- struct{}{}:
	default:
	}
}

// offer queues e, or counts it as missed when the queue is full or the
// subscriber already lags (events after a gap are useless before the
// subscriber re-read its state, which the stream.lagged event asks for).
func (s *Subscription) offer(e Event) {
	s.mu.Lock()
	defer s.mu.Unlock()
	switch {
	case s.closed:
		return
	case s.lagged || len(s.queue) >= s.size:
		s.lagged = true
		s.missed++
	default:
		s.queue = append(s.queue, e)
	}
	s.signal()
}

// lost marks the subscriber as lagged by an unknown number of events.
func (s *Subscription) lost() {
	s.mu.Lock()
	defer s.mu.Unlock()
	if !s.closed {
		s.lagged = true
		s.signal()
	}
}

func (s *Subscription) end() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.closed = true
	s.signal()
}

// Next returns the next event: the queued ones in order, then, after a
// gap, one stream.lagged event. It returns ErrClosed once the hub closed
// (or the subscription was closed) and ctx's error when ctx ends first.
func (s *Subscription) Next(ctx context.Context) (Event, error) {
	for {
		s.mu.Lock()
		switch {
		case len(s.queue) > 0:
			e := s.queue[0]
			s.queue[0] = Event{}
			s.queue = s.queue[1:]
			s.mu.Unlock()
			return e, nil
		case s.lagged:
			e := Event{Type: StreamLagged, Time: s.hub.opts.Now().UTC(), Missed: s.missed}
			s.lagged, s.missed = false, 0
			s.mu.Unlock()
			return e, nil
		case s.closed:
			s.mu.Unlock()
			return Event{}, ErrClosed
		}
		s.mu.Unlock()
		select {
		case <-s.ready:
		case <-ctx.Done():
			return Event{}, ctx.Err()
		}
	}
}

// Close ends the subscription and removes it from the hub.
func (s *Subscription) Close() {
	s.hub.mu.Lock()
	delete(s.hub.subs, s)
	s.hub.mu.Unlock()
	s.end()
}

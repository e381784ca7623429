// Package pgrelay carries live events between the replicas of the control
// plane through PostgreSQL's LISTEN/NOTIFY: every replica LISTENs on one
// channel with a connection of its own, and a published event is one
// NOTIFY whose payload is the event's JSON prefixed with its number from
// the capsule_event_seq sequence (taken in the same statement, so a publish
// costs one round trip). PostgreSQL delivers the notifications to every
// listener in commit order, the publisher included.
//
// Notifications sent while a listener is disconnected are lost; after it
// reconnects the relay asks the hub to tell every subscriber to resync
// (stream.lagged). A payload is at most 8000 bytes: long text is cut
// further until the event fits, and marked truncated.
package pgrelay

import (
	"context"
	"database/sql"
	"encoding/json"
	"errors"
	"fmt"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"github.com/jackc/pgx/v5"

	"github.com/usecapsule/capsule/internal/events"
)

// Channel is the NOTIFY channel of the events.
const Channel = "capsule_events"

// maxPayload is PostgreSQL's NOTIFY payload limit less room for the
// sequence number prefix.
const maxPayload = 8000 - 24

// Relay implements events.Relay over one PostgreSQL database.
type Relay struct {
	dsn string
	db  *sql.DB
	log *slog.Logger
}

var _ events.Relay = (*Relay)(nil)

// New returns a relay that sends through db (a pool on the database) and
// listens with its own connection to dsn (the same database's URL).
func New(dsn string, db *sql.DB, log *slog.Logger) *Relay {
	if log == nil {
		log = slog.New(slog.DiscardHandler)
	}
	return &Relay{dsn: dsn, db: db, log: log}
}

// Send numbers e and notifies every listener.
func (r *Relay) Send(ctx context.Context, e events.Event) error {
	payload, err := fit(e)
	if err != nil {
		return err
	}
	_, err = r.db.ExecContext(ctx, "SELECT pg_notify('"+Channel+"', nextval('capsule_event_seq')::text || ' ' || $1)", payload)
	if err != nil {
		return fmt.Errorf("events: notify: %w", err)
	}
	return nil
}

// fit encodes e, halving its text until the payload fits a notification.
func fit(e events.Event) (string, error) {
	for {
		b, err := json.Marshal(e)
		if err != nil {
			return "", fmt.Errorf("events: encode: %w", err)
		}
		if len(b) <= maxPayload {
			return string(b), nil
		}
		if e.Line == "" && e.Message == "" {
			return "", fmt.Errorf("events: a %s event is %d bytes, over the %d a notification carries", e.Type, len(b), maxPayload)
		}
		e.Line, e.Message, e.Truncated = half(e.Line), half(e.Message), true
	}
}

// half cuts s to half its length on a rune boundary.
func half(s string) string {
	return strings.ToValidUTF8(s[:len(s)/2], "")
}

// Listen delivers every notification until ctx ends, reconnecting with
// backoff when the connection breaks.
func (r *Relay) Listen(ctx context.Context, deliver func(events.Event), resync func()) error {
	backoff := 50 * time.Millisecond
	for first := true; ; first = false {
		conn, err := r.listen(ctx)
		if err == nil {
			if !first {
				resync() // notifications sent while disconnected are gone
			}
			backoff = 50 * time.Millisecond
			err = r.receive(ctx, conn, deliver)
			closeCtx, cancel := context.WithTimeout(context.WithoutCancel(ctx), time.Second)
			_ = conn.Close(closeCtx)
			cancel()
		}
		if ctx.Err() != nil {
			return nil
		}
		r.log.Warn("event relay: listening connection lost; reconnecting", "error", err.Error(), "retryIn", backoff.String())
		select {
		case <-ctx.Done():
			return nil
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 5*time.Second)
	}
}

func (r *Relay) listen(ctx context.Context) (*pgx.Conn, error) {
	conn, err := pgx.Connect(ctx, r.dsn)
	if err != nil {
		return nil, fmt.Errorf("events: connect: %w", err)
	}
	if _, err := conn.Exec(ctx, "LISTEN "+Channel); err != nil {
		_ = conn.Close(context.WithoutCancel(ctx))
		return nil, fmt.Errorf("events: listen: %w", err)
	}
	return conn, nil
}

func (r *Relay) receive(ctx context.Context, conn *pgx.Conn, deliver func(events.Event)) error {
	for {
		n, err := conn.WaitForNotification(ctx)
		if err != nil {
			return err
		}
		e, err := decode(n.Payload)
		if err != nil {
			r.log.Warn("event relay: dropping a malformed notification", "error", err.Error())
			continue
		}
		deliver(e)
	}
}

// decode reads "<seq> <json>".
func decode(payload string) (events.Event, error) {
	num, body, ok := strings.Cut(payload, " ")
	seq, err := strconv.ParseInt(num, 10, 64)
	if !ok || err != nil {
		return events.Event{}, errors.New("events: notification without a sequence number")
	}
	var e events.Event
	if err := json.Unmarshal([]byte(body), &e); err != nil {
		return events.Event{}, fmt.Errorf("events: notification body: %w", err)
	}
	e.Seq = seq
	return e, nil
}

package notify

import (
	"context"
	"crypto/rand"
	"encoding/json"
	"log/slog"
	"slices"
	"time"

	"github.com/usecapsule/capsule/internal/database"
)

// Queue statuses.
const (
	QueuePending = "pending"
	QueueSent    = "sent"
	QueueFailed  = "failed"
)

// Notify queues e for every channel a rule of its organization routes it
// to. q is the transaction of the change the event reports, or the
// database. key, when set, makes the event queue once per channel however
// often it is reported (an event every replica receives).
func Notify(ctx context.Context, q database.Querier, e Event, key string) error {
	if e.Scope.OrganizationID == "" {
		return nil
	}
	rules, err := rulesWhere(ctx, q, `organization_id = ?`, e.Scope.OrganizationID)
	if err != nil || len(rules) == 0 {
		return err
	}
	if e.Time.IsZero() {
		e.Time = database.Now()
	}
	body, err := json.Marshal(e)
	if err != nil {
		return err
	}
	var channels []string
	for _, r := range rules {
		if r.Matches(e) && !slices.Contains(channels, r.ChannelID) {
			channels = append(channels, r.ChannelID)
		}
	}
	now := database.Now()
	for _, ch := range channels {
		k := key
		if k == "" {
			k = database.NewID()
		}
		if _, err := q.Exec(ctx, `INSERT INTO notification_queue (id, channel_id, dedup_key, event, status, created_at)
			VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (channel_id, dedup_key) DO NOTHING`,
			database.NewID(), ch, k, string(body), QueuePending, database.TimeOf(now)); err != nil {
			return err
		}
	}
	return nil
}

// DispatcherOptions configure a Dispatcher.
type DispatcherOptions struct {
	Owner string        // names this replica in leases (random when empty)
	Poll  time.Duration // default 1 s
	// MaxAttempts bounds the sends of one message before its events are
	// failed (default 10).
	MaxAttempts int
	Logger      *slog.Logger
	Now         func() time.Time
}

// Dispatcher sends the queued events of each channel as grouped messages.
// A channel is dispatched by one replica at a time (a lease on its row);
// grouping is rebuilt from the queue on every poll, so a restart loses
// nothing and changes no decision.
type Dispatcher struct {
	svc *Service
	o   DispatcherOptions
}

// NewDispatcher returns a dispatcher over svc.
func NewDispatcher(svc *Service, o DispatcherOptions) *Dispatcher {
	if o.Owner == "" {
		o.Owner = "notify-" + rand.Text()[:8]
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.MaxAttempts <= 0 {
		o.MaxAttempts = 10
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	return &Dispatcher{svc: svc, o: o}
}

// Run dispatches until ctx ends.
func (d *Dispatcher) Run(ctx context.Context) {
	t := time.NewTicker(d.o.Poll)
	defer t.Stop()
	for {
		if err := d.RunOnce(ctx); err != nil && ctx.Err() == nil {
			d.o.Logger.Warn("notifications: dispatch failed", "error", err.Error())
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce dispatches every channel with queued events that no other
// replica holds.
func (d *Dispatcher) RunOnce(ctx context.Context) error {
	rows, err := d.svc.DB.Query(ctx, `SELECT DISTINCT channel_id FROM notification_queue WHERE status = ?`, QueuePending)
	if err != nil {
		return err
	}
	var ids []string
	for rows.Next() {
		var id string
		if err := rows.Scan(&id); err != nil {
			rows.Close()
			return err
		}
		ids = append(ids, id)
	}
	rows.Close()
	for _, id := range ids {
		if ok, err := d.lease(ctx, id); err != nil || !ok {
			continue
		}
		err := d.channel(ctx, id)
		d.release(id)
		if err != nil && ctx.Err() == nil {
			d.o.Logger.Warn("notifications: channel dispatch failed", "channel", id, "error", err.Error())
		}
	}
	return nil
}

func (d *Dispatcher) lease(ctx context.Context, id string) (bool, error) {
	now := database.Stored(d.o.Now())
	var ok bool
	err := d.svc.DB.InTx(database.WithoutTxHook(ctx), func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE notification_channels SET lease_owner = ?, lease_until = ?
			WHERE id = ? AND (lease_until IS NULL OR lease_until < ? OR lease_owner = ?)`,
			d.o.Owner, database.TimeOf(now.Add(2*time.Minute)), id, database.TimeOf(now), d.o.Owner)
		if err != nil {
			return err
		}
		n, _ := res.RowsAffected()
		ok = n == 1
		return nil
	})
	return ok, err
}

func (d *Dispatcher) release(id string) {
	ctx := context.Background()
	_ = d.svc.DB.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE notification_channels SET lease_owner = '', lease_until = NULL WHERE id = ? AND lease_owner = ?`, id, d.o.Owner)
		return err
	})
}

// channel groups the channel's pending events and sends what is due.
func (d *Dispatcher) channel(ctx context.Context, id string) error {
	ch, err := d.svc.FindChannel(ctx, id)
	if err != nil {
		return err
	}
	quiet, _ := ch.QuietHours.parse()
	g := &Grouper{Window: time.Duration(ch.GroupWindowSeconds) * time.Second, Quiet: quiet, PublicURL: d.svc.PublicURL}
	attempts := map[string]int{}
	rows, err := d.svc.DB.Query(ctx, `SELECT id, event, attempts FROM notification_queue WHERE channel_id = ? AND status = ? ORDER BY created_at, id`, id, QueuePending)
	if err != nil {
		return err
	}
	for rows.Next() {
		var (
			rowID, body string
			n           int
		)
		if err := rows.Scan(&rowID, &body, &n); err != nil {
			rows.Close()
			return err
		}
		var e Event
		if json.Unmarshal([]byte(body), &e) != nil {
			continue
		}
		e.ID, attempts[rowID] = rowID, n
		g.Add(e)
	}
	rows.Close()
	msgs := g.Flush(d.o.Now())
	if len(msgs) == 0 {
		return nil
	}
	snd, err := d.svc.sender(ctx, ch)
	if err != nil {
		return err
	}
	for _, m := range msgs {
		sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
		err := snd.Send(sctx, d.svc.client(), m)
		cancel()
		if err := d.record(ctx, m.EventIDs, attempts, err); err != nil {
			return err
		}
	}
	return nil
}

// record marks a message's events sent, or counts the failed attempt
// (failing them after MaxAttempts).
func (d *Dispatcher) record(ctx context.Context, ids []string, attempts map[string]int, sendErr error) error {
	now := database.TimeOf(database.Stored(d.o.Now()))
	return d.svc.DB.InTx(database.WithoutTxHook(ctx), func(tx *database.Tx) error {
		for _, id := range ids {
			var err error
			switch {
			case sendErr == nil:
				_, err = tx.Exec(ctx, `UPDATE notification_queue SET status = ?, attempts = attempts + 1, sent_at = ?, last_error = '' WHERE id = ?`, QueueSent, now, id)
			case attempts[id]+1 >= d.o.MaxAttempts:
				_, err = tx.Exec(ctx, `UPDATE notification_queue SET status = ?, attempts = attempts + 1, last_error = ? WHERE id = ?`, QueueFailed, sendErr.Error(), id)
			default:
				_, err = tx.Exec(ctx, `UPDATE notification_queue SET attempts = attempts + 1, last_error = ? WHERE id = ?`, sendErr.Error(), id)
			}
			if err != nil {
				return err
			}
		}
		return nil
	})
}

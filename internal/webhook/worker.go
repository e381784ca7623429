package webhook

import (
	"context"
	"crypto/rand"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync"
	"time"
	"unicode"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// Auditor opens an audit unit whose entry commits with the writes run
// under the returned context (identitystore.Store has it).
type Auditor interface {
	WithAuditUnit(ctx context.Context, e audit.Entry) (context.Context, identity.AuditUnit)
}

// WorkerOptions configure a Worker; zero values pick the defaults.
type WorkerOptions struct {
	DB      *database.DB
	Secrets identity.SecretStore
	Keyring *secretbox.Keyring
	// Client must be the guarded egress client.
	Client  *http.Client
	Auditor Auditor
	Logger  *slog.Logger
	// Owner names this replica in the leases (random when empty).
	Owner string
	// Poll is how often due deliveries are looked for (default 1 s).
	Poll time.Duration
	// Timeout bounds one attempt (default 15 s); the lease is Timeout + 30 s,
	// so a replica that dies mid-attempt leaves the delivery to another
	// after that.
	Timeout time.Duration
	// Schedule is the retry schedule (default DefaultSchedule).
	Schedule []time.Duration
	// Batch is how many deliveries one poll claims and sends concurrently
	// (default 16).
	Batch int
}

// Worker sends queued deliveries. Several workers (replicas) may run on one
// database: each claims a delivery with a lease and a fencing token, and a
// worker whose lease was taken over writes nothing.
type Worker struct{ o WorkerOptions }

// NewWorker returns a worker; DB, Secrets, Keyring and Client are required.
func NewWorker(o WorkerOptions) (*Worker, error) {
	if o.DB == nil || o.Secrets == nil || o.Keyring == nil || o.Client == nil {
		return nil, errors.New("webhook: the worker needs DB, Secrets, Keyring and Client")
	}
	if o.Owner == "" {
		o.Owner = "webhook-" + rand.Text()[:8]
	}
	if o.Poll <= 0 {
		o.Poll = time.Second
	}
	if o.Timeout <= 0 {
		o.Timeout = 15 * time.Second
	}
	if o.Schedule == nil {
		o.Schedule = DefaultSchedule
	}
	if o.Batch <= 0 {
		o.Batch = 16
	}
	if o.Logger == nil {
		o.Logger = slog.New(slog.DiscardHandler)
	}
	return &Worker{o: o}, nil
}

// Run sends due deliveries until ctx ends.
func (w *Worker) Run(ctx context.Context) {
	t := time.NewTicker(w.o.Poll)
	defer t.Stop()
	for {
		n, err := w.RunOnce(ctx)
		if err != nil && ctx.Err() == nil {
			w.o.Logger.Warn("webhook deliveries: poll failed", "error", err.Error())
		}
		if n == w.o.Batch {
			continue // more may be due
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

// RunOnce claims the due deliveries (up to Batch) and sends them,
// returning how many it claimed.
func (w *Worker) RunOnce(ctx context.Context) (int, error) {
	claimed, err := w.claim(ctx)
	if err != nil {
		return 0, err
	}
	var wg sync.WaitGroup
	for _, c := range claimed {
		wg.Go(func() { w.deliver(ctx, c) })
	}
	wg.Wait()
	return len(claimed), nil
}

// claim is one delivery this worker holds the lease of.
type claim struct {
	id, msgID, eventType, body string
	token                      int64
	round                      int
	subID, orgID, url          string
	secretID                   string
}

func (w *Worker) claim(ctx context.Context) ([]claim, error) {
	now := database.Now()
	lease := now.Add(w.o.Timeout + 30*time.Second)
	var out []claim
	err := w.o.DB.InTx(database.WithoutTxHook(ctx), func(tx *database.Tx) error {
		out = out[:0]
		rows, err := tx.Query(ctx, `SELECT d.id FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id
			WHERE d.status = ? AND d.next_attempt_at <= ? AND s.enabled = ? AND (d.lease_until IS NULL OR d.lease_until < ?)
			ORDER BY d.next_attempt_at LIMIT ?`, StatusPending, database.TimeOf(now), true, database.TimeOf(now), w.o.Batch)
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
		if err := rows.Err(); err != nil {
			return err
		}
		for _, id := range ids {
			res, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET lease_owner = ?, lease_until = ?, token = token + 1
				WHERE id = ? AND status = ? AND (lease_until IS NULL OR lease_until < ?)`,
				w.o.Owner, database.TimeOf(lease), id, StatusPending, database.TimeOf(now))
			if err != nil {
				return err
			}
			if n, _ := res.RowsAffected(); n == 0 {
				continue // another replica took it
			}
			var c claim
			if err := tx.QueryRow(ctx, `SELECT d.id, d.msg_id, d.event_type, d.body, d.token, d.round_attempts, s.id, s.organization_id, s.url, s.secret_id
				FROM webhook_deliveries d JOIN webhook_subscriptions s ON s.id = d.subscription_id WHERE d.id = ?`, id).Scan(
				&c.id, &c.msgID, &c.eventType, &c.body, &c.token, &c.round, &c.subID, &c.orgID, &c.url, &c.secretID); err != nil {
				return err
			}
			out = append(out, c)
		}
		return nil
	})
	return out, err
}

// attempt is how one attempt went.
type attempt struct {
	code     int
	duration time.Duration
	err      string
	excerpt  string
}

func (w *Worker) deliver(ctx context.Context, c claim) {
	a := w.send(ctx, c)
	if ctx.Err() != nil {
		// Stopping: hand the delivery back at once rather than after the
		// lease, so another replica (or the next start) sends it again.
		w.release(context.WithoutCancel(ctx), c)
		return
	}
	if err := w.finish(context.WithoutCancel(ctx), c, a); err != nil {
		w.o.Logger.Warn("webhook delivery: recording the attempt failed", "delivery", c.id, "error", err.Error())
	}
}

// MaxExcerpt bounds the part of a receiver's answer kept with a delivery.
const MaxExcerpt = 256

func (w *Worker) send(ctx context.Context, c claim) attempt {
	key, err := signingKey(ctx, w.o.Secrets, w.o.Keyring, c.secretID)
	if err != nil {
		w.o.Logger.Error("webhook delivery: cannot open the signing secret", "webhook", c.subID, "error", err.Error())
		return attempt{err: "the signing secret could not be opened"}
	}
	actx, cancel := context.WithTimeout(ctx, w.o.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(actx, http.MethodPost, c.url, strings.NewReader(c.body))
	if err != nil {
		return attempt{err: "invalid URL"}
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "Capsule-Webhooks/1")
	for k, v := range Headers(key, c.msgID, time.Now(), []byte(c.body)) {
		req.Header.Set(k, v)
	}
	start := time.Now()
	resp, err := w.o.Client.Do(req)
	a := attempt{duration: time.Since(start)}
	if err != nil {
		a.err = requestError(err)
		return a
	}
	defer resp.Body.Close()
	head, _ := io.ReadAll(io.LimitReader(resp.Body, 4*MaxExcerpt))
	a.code, a.excerpt = resp.StatusCode, Excerpt(head)
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		a.err = fmt.Sprintf("the receiver answered HTTP %d", resp.StatusCode)
	}
	return a
}

// requestError names why a request failed without anything the remote
// server sent: the guard's reason when it refused or failed it.
func requestError(err error) string {
	if e, ok := egress.AsError(err); ok {
		return e.Error()
	}
	if errors.Is(err, context.DeadlineExceeded) {
		return "the receiver did not answer in time"
	}
	return "the request failed"
}

// Excerpt is at most MaxExcerpt bytes of b, valid UTF-8, with control
// characters replaced by spaces, so a receiver's answer can be shown
// safely in the delivery log.
func Excerpt(b []byte) string {
	s := strings.ToValidUTF8(string(b), "")
	s = strings.Map(func(r rune) rune {
		if unicode.IsControl(r) || r == '\u2028' || r == '\u2029' {
			return ' '
		}
		return r
	}, s)
	if len(s) > MaxExcerpt {
		s = s[:MaxExcerpt]
		s = strings.ToValidUTF8(s, "")
	}
	return strings.TrimSpace(s)
}

// finish records an attempt, fenced by the claim's token: 2xx delivered;
// 410 Gone failed and the subscription disabled (audited); otherwise a
// retry after the schedule's next delay, or failed when it is exhausted.
func (w *Worker) finish(ctx context.Context, c claim, a attempt) error {
	now := database.Now()
	status, next, delivered := StatusPending, database.Time{}, database.Time{}
	round := c.round + 1
	switch {
	case a.code >= 200 && a.code <= 299:
		status, delivered = StatusDelivered, database.TimeOf(now)
	case a.code == http.StatusGone:
		status = StatusFailed
	default:
		if d, ok := retryDelay(w.o.Schedule, round); ok {
			next = database.TimeOf(now.Add(d))
		} else {
			status = StatusFailed
		}
	}
	if status == StatusFailed && a.code == http.StatusGone && w.o.Auditor != nil {
		ctx, _ = w.o.Auditor.WithAuditUnit(ctx, audit.Entry{ActorType: audit.ActorSystem, Action: "webhook.disable",
			TargetType: "webhook", TargetID: c.subID, OrganizationID: c.orgID, After: map[string]string{"reason": goneReason}})
	} else {
		ctx = database.WithoutTxHook(ctx)
	}
	return w.o.DB.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, attempts = attempts + 1, round_attempts = ?, next_attempt_at = ?,
			status_code = ?, duration_ms = ?, last_error = ?, response_excerpt = ?, updated_at = ?, delivered_at = ?,
			lease_owner = '', lease_until = NULL WHERE id = ? AND token = ?`,
			status, round, next, a.code, a.duration.Milliseconds(), a.err, a.excerpt, database.TimeOf(now), delivered, c.id, c.token)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return errLeaseLost
		}
		if a.code == http.StatusGone {
			_, err = tx.Exec(ctx, `UPDATE webhook_subscriptions SET enabled = ?, disabled_reason = ?, updated_at = ? WHERE id = ?`,
				false, goneReason, database.TimeOf(now), c.subID)
		}
		return err
	})
}

const goneReason = "the receiver answered 410 Gone"

// errLeaseLost: another worker took the delivery over (or it was
// redelivered) while this one sent it; this attempt is not recorded.
var errLeaseLost = errors.New("webhook: the delivery's lease was taken over")

// release gives up a claim without recording an attempt.
func (w *Worker) release(ctx context.Context, c claim) {
	_ = w.o.DB.InTx(database.WithoutTxHook(ctx), func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET lease_owner = '', lease_until = NULL WHERE id = ? AND token = ?`, c.id, c.token)
		return err
	})
}

package webhook

import (
	"context"
	"database/sql"
	"encoding/json"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

// Subscription is an organization's outbound webhook: where to send which
// events. Its signing secret is never part of it (see Created).
type Subscription struct {
	ID             string    `json:"id"`
	OrganizationID string    `json:"organizationId"`
	URL            string    `json:"url"`
	Events         []string  `json:"events"`
	Description    string    `json:"description,omitempty"`
	Enabled        bool      `json:"enabled"`
	DisabledReason string    `json:"disabledReason,omitempty"`
	CreatedBy      string    `json:"createdBy,omitempty"`
	CreatedAt      time.Time `json:"createdAt"`
	UpdatedAt      time.Time `json:"updatedAt"`
	// SecretID is the secret-store id of the sealed signing secret.
	SecretID string `json:"-"`
}

// Delivery statuses.
const (
	StatusPending   = "pending"
	StatusDelivered = "delivered"
	StatusFailed    = "failed"
)

// Delivery is one message to one subscription and how sending it went so
// far. ResponseExcerpt is at most MaxExcerpt bytes of the receiver's
// answer with control characters removed, never the whole body.
type Delivery struct {
	ID              string     `json:"id"`
	SubscriptionID  string     `json:"subscriptionId"`
	MessageID       string     `json:"messageId"`
	EventType       string     `json:"eventType"`
	Status          string     `json:"status"`
	Attempts        int        `json:"attempts"`
	StatusCode      int        `json:"statusCode,omitempty"`
	DurationMS      int64      `json:"durationMs,omitempty"`
	NextAttemptAt   *time.Time `json:"nextAttemptAt,omitempty"`
	Error           string     `json:"error,omitempty"`
	ResponseExcerpt string     `json:"responseExcerpt,omitempty"`
	CreatedAt       time.Time  `json:"createdAt"`
	UpdatedAt       time.Time  `json:"updatedAt"`
	DeliveredAt     *time.Time `json:"deliveredAt,omitempty"`
}

// Store keeps subscriptions and deliveries in Capsule's database.
type Store struct{ db *database.DB }

// NewStore returns the store over db (sqlstore's Database()).
func NewStore(db *database.DB) *Store { return &Store{db: db} }

const subCols = `id, organization_id, url, events, description, enabled, disabled_reason, secret_id, created_by, created_at, updated_at`

func scanSub(r interface{ Scan(...any) error }) (*Subscription, error) {
	var (
		s                Subscription
		events           string
		created, updated database.Time
	)
	if err := r.Scan(&s.ID, &s.OrganizationID, &s.URL, &events, &s.Description, &s.Enabled, &s.DisabledReason,
		&s.SecretID, &s.CreatedBy, &created, &updated); err != nil {
		return nil, err
	}
	if err := json.Unmarshal([]byte(events), &s.Events); err != nil {
		return nil, err
	}
	s.CreatedAt, s.UpdatedAt = created.Time, updated.Time
	return &s, nil
}

// insert stores a new subscription; the audit entry of the request (if
// any) commits with it.
func (st *Store) insert(ctx context.Context, s *Subscription) error {
	events, _ := json.Marshal(s.Events)
	database.NoteTarget(ctx, s.ID)
	return database.DomainError(st.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO webhook_subscriptions (`+subCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			s.ID, s.OrganizationID, s.URL, string(events), s.Description, s.Enabled, s.DisabledReason, s.SecretID,
			s.CreatedBy, database.TimeOf(s.CreatedAt), database.TimeOf(s.UpdatedAt))
		if database.IsForeignKeyViolation(err) {
			return capsule.NotFound("organization", s.OrganizationID)
		}
		return err
	}), nil)
}

// Find returns one subscription.
func (st *Store) Find(ctx context.Context, id string) (*Subscription, error) {
	if !database.IsID(id) {
		return nil, capsule.NotFound("webhook", id)
	}
	s, err := scanSub(st.db.QueryRow(ctx, `SELECT `+subCols+` FROM webhook_subscriptions WHERE id = ?`, id))
	return s, database.DomainError(err, capsule.NotFound("webhook", id))
}

// List returns an organization's subscriptions, oldest first.
func (st *Store) List(ctx context.Context, orgID string) ([]Subscription, error) {
	return listSubs(ctx, st.db, `organization_id = ?`, orgID)
}

func listSubs(ctx context.Context, q database.Querier, where string, args ...any) ([]Subscription, error) {
	rows, err := q.Query(ctx, `SELECT `+subCols+` FROM webhook_subscriptions WHERE `+where+` ORDER BY id`, args...)
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	defer rows.Close()
	out := []Subscription{}
	for rows.Next() {
		s, err := scanSub(rows)
		if err != nil {
			return nil, database.DomainError(err, nil)
		}
		out = append(out, *s)
	}
	return out, database.DomainError(rows.Err(), nil)
}

// update writes a subscription's changeable fields.
func (st *Store) update(ctx context.Context, s *Subscription) error {
	events, _ := json.Marshal(s.Events)
	return database.DomainError(st.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE webhook_subscriptions SET url = ?, events = ?, description = ?, enabled = ?,
			disabled_reason = ?, updated_at = ? WHERE id = ?`, s.URL, string(events), s.Description, s.Enabled,
			s.DisabledReason, database.TimeOf(s.UpdatedAt), s.ID)
		return oneRow(res, err, s.ID)
	}), nil)
}

// delete removes a subscription with its deliveries.
func (st *Store) delete(ctx context.Context, id string) error {
	return database.DomainError(st.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `DELETE FROM webhook_subscriptions WHERE id = ?`, id)
		return oneRow(res, err, id)
	}), nil)
}

func oneRow(res sql.Result, err error, id string) error {
	if err != nil {
		return err
	}
	if n, _ := res.RowsAffected(); n == 0 {
		return capsule.NotFound("webhook", id)
	}
	return nil
}

const deliveryCols = `id, subscription_id, msg_id, event_type, status, attempts, status_code, duration_ms, next_attempt_at,
	last_error, response_excerpt, created_at, updated_at, delivered_at`

func scanDelivery(r interface{ Scan(...any) error }) (*Delivery, error) {
	var (
		d                               Delivery
		next, created, updated, deliver database.Time
	)
	if err := r.Scan(&d.ID, &d.SubscriptionID, &d.MessageID, &d.EventType, &d.Status, &d.Attempts, &d.StatusCode,
		&d.DurationMS, &next, &d.Error, &d.ResponseExcerpt, &created, &updated, &deliver); err != nil {
		return nil, err
	}
	d.NextAttemptAt, d.CreatedAt, d.UpdatedAt, d.DeliveredAt = next.Ptr(), created.Time, updated.Time, deliver.Ptr()
	return &d, nil
}

// Deliveries returns one page of a subscription's deliveries, newest first.
func (st *Store) Deliveries(ctx context.Context, subID string, p capsule.Page) (capsule.List[Delivery], error) {
	p = p.Normalize()
	out := capsule.List[Delivery]{Items: []Delivery{}}
	q, args := `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE subscription_id = ?`, []any{subID}
	if p.Cursor != "" {
		if !database.IsID(p.Cursor) {
			return out, capsule.Errorf(capsule.KindInvalid, capsule.CodeInvalidParameter, "cursor %q is not a nextCursor this list returned", p.Cursor)
		}
		q, args = q+` AND id < ?`, append(args, p.Cursor)
	}
	rows, err := st.db.Query(ctx, q+` ORDER BY id DESC LIMIT ?`, append(args, p.Limit+1)...)
	if err != nil {
		return out, database.DomainError(err, nil)
	}
	defer rows.Close()
	for rows.Next() {
		d, err := scanDelivery(rows)
		if err != nil {
			return out, database.DomainError(err, nil)
		}
		out.Items = append(out.Items, *d)
	}
	if len(out.Items) > p.Limit {
		out.Items = out.Items[:p.Limit]
		out.NextCursor = out.Items[p.Limit-1].ID
	}
	return out, database.DomainError(rows.Err(), nil)
}

// Delivery returns one delivery of a subscription.
func (st *Store) Delivery(ctx context.Context, subID, id string) (*Delivery, error) {
	nf := capsule.NotFound("webhook delivery", id)
	if !database.IsID(id) {
		return nil, nf
	}
	d, err := scanDelivery(st.db.QueryRow(ctx, `SELECT `+deliveryCols+` FROM webhook_deliveries WHERE id = ? AND subscription_id = ?`, id, subID))
	return d, database.DomainError(err, nf)
}

// redeliver queues a delivery again now, with the same message id and a
// fresh retry schedule; its attempts keep counting.
func (st *Store) redeliver(ctx context.Context, subID, id string, now time.Time) error {
	return database.DomainError(st.db.InTx(ctx, func(tx *database.Tx) error {
		res, err := tx.Exec(ctx, `UPDATE webhook_deliveries SET status = ?, round_attempts = 0, next_attempt_at = ?, updated_at = ?,
			lease_owner = '', lease_until = NULL, token = token + 1 WHERE id = ? AND subscription_id = ?`,
			StatusPending, database.TimeOf(now), database.TimeOf(now), id, subID)
		if err != nil {
			return err
		}
		if n, _ := res.RowsAffected(); n == 0 {
			return capsule.NotFound("webhook delivery", id)
		}
		return nil
	}), nil)
}

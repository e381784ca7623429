package webhook

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"time"

	"github.com/usecapsule/capsule/internal/database"
)

// Message is the body of every webhook request, as the Standard Webhooks
// specification suggests: the event type, when it happened, its data.
type Message struct {
	Type      string    `json:"type"`
	Timestamp time.Time `json:"timestamp"`
	Data      any       `json:"data"`
}

// TestEvent is the type of the message POST /webhooks/{id}/test sends.
const TestEvent = "webhook.test"

// Emit queues an event for every enabled subscription of the organization
// whose patterns match eventType. q is the transaction of the change the
// event reports (so the event is queued if and only if the change commits)
// or the database itself for an event that reports no change of ours.
// This is how the promotion and cost capabilities report promotion.* and
// cost.anomaly:
//
//	webhook.Emit(ctx, tx, orgID, "promotion.merged", map[string]any{"promotionId": id})
//
// data must marshal to a JSON object. Each call is a new message; use
// EmitKeyed when the same event may be reported more than once.
func Emit(ctx context.Context, q database.Querier, orgID, eventType string, data any) error {
	return EmitKeyed(ctx, q, orgID, eventType, "", data)
}

// EmitKeyed is Emit for an event that may be reported more than once (an
// event every replica receives): the message id derives from key, and a
// subscription is given each message id once. An empty key makes a new
// message id.
func EmitKeyed(ctx context.Context, q database.Querier, orgID, eventType, key string, data any) error {
	if orgID == "" {
		return nil // installation-level events belong to no organization's subscriptions
	}
	subs, err := listSubs(ctx, q, `organization_id = ? AND enabled = ?`, orgID, true)
	if err != nil || len(subs) == 0 {
		return err
	}
	now := database.Now()
	body, err := jsonMessage(eventType, now, data)
	if err != nil {
		return err
	}
	msgID := messageID(key)
	for _, s := range subs {
		if !Matches(s.Events, eventType) {
			continue
		}
		if err := enqueue(ctx, q, s.ID, msgID, eventType, body, now); err != nil {
			return err
		}
	}
	return nil
}

// messageID is "msg_" and 32 hex digits: random, or a hash of key.
func messageID(key string) string {
	if key == "" {
		key = database.NewID()
	}
	sum := sha256.Sum256([]byte("capsule-webhook:" + key))
	return "msg_" + hex.EncodeToString(sum[:16])
}

// enqueue inserts a pending delivery unless the subscription has the
// message already.
func enqueue(ctx context.Context, q database.Querier, subID, msgID, eventType string, body []byte, now time.Time) error {
	_, err := q.Exec(ctx, `INSERT INTO webhook_deliveries (id, subscription_id, msg_id, event_type, body, status, next_attempt_at,
		created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (subscription_id, msg_id) DO NOTHING`,
		database.NewID(), subID, msgID, eventType, string(body), StatusPending, database.TimeOf(now), database.TimeOf(now), database.TimeOf(now))
	return err
}

// jsonMessage is the body of one message.
func jsonMessage(eventType string, at time.Time, data any) ([]byte, error) {
	body, err := json.Marshal(Message{Type: eventType, Timestamp: at, Data: data})
	if err != nil {
		return nil, fmt.Errorf("webhook: encoding %s: %w", eventType, err)
	}
	return body, nil
}

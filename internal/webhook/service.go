package webhook

import (
	"context"
	"fmt"
	"net/netip"
	"net/url"
	"slices"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// SecretNamePrefix starts the secret-store name of a subscription's signing
// secret. The secrets API refuses such names: the secret is shown once,
// when the subscription is created, and only the sender opens it again.
const SecretNamePrefix = "capsule.webhook."

// Service is what the API does with subscriptions: it keeps each signing
// secret sealed in the secret store and the subscription in the store.
type Service struct {
	Store   *Store
	Secrets identity.SecretStore
	Keyring *secretbox.Keyring
	// Allow are the non-public networks webhook URLs may name
	// (--egress-allow); a URL whose host is another non-public address
	// is refused when it is set, before the sender's guard would refuse
	// every attempt.
	Allow []netip.Prefix
	Now   func() time.Time
}

func (s *Service) now() time.Time {
	if s.Now != nil {
		return database.Stored(s.Now())
	}
	return database.Now()
}

// Input is a new subscription.
type Input struct {
	URL         string   `json:"url"`
	Events      []string `json:"events"`
	Description string   `json:"description,omitempty"`
	Enabled     *bool    `json:"enabled,omitempty"`
}

// Patch changes the fields it names.
type Patch struct {
	URL         *string  `json:"url,omitempty"`
	Events      []string `json:"events,omitempty"`
	Description *string  `json:"description,omitempty"`
	Enabled     *bool    `json:"enabled,omitempty"`
}

// Created is a new subscription with its signing secret, answered once.
type Created struct {
	Subscription
	Secret string `json:"secret"`
}

// MaxURL and MaxDescription bound a subscription's texts.
const (
	MaxURL         = 2048
	MaxDescription = 500
)

func (s *Service) check(v *capsule.Validation, sub *Subscription) {
	if err := s.checkURL(sub.URL); err != nil {
		v.Add("url", "%s", err.Error())
	}
	if err := CheckPatterns(sub.Events); err != nil {
		v.Add("events", "%s", err.Error())
	}
	if utf8.RuneCountInString(sub.Description) > MaxDescription {
		v.Add("description", "is longer than %d characters", MaxDescription)
	}
}

// checkURL accepts an absolute http(s) URL without credentials whose host,
// when it is an IP address, is public or allowed.
func (s *Service) checkURL(raw string) error {
	if raw == "" {
		return fmt.Errorf("is required")
	}
	if len(raw) > MaxURL {
		return fmt.Errorf("is longer than %d bytes", MaxURL)
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || u.Opaque != "" {
		return fmt.Errorf("%q is not an absolute http or https URL", raw)
	}
	if u.User != nil {
		return fmt.Errorf("must not carry credentials (user:password@); receivers verify the signature instead")
	}
	if u.Fragment != "" {
		return fmt.Errorf("must not have a fragment")
	}
	if ip, err := netip.ParseAddr(strings.Trim(u.Hostname(), "[]")); err == nil {
		if why := egress.Classify(ip); why != "" && !slices.ContainsFunc(s.Allow, func(p netip.Prefix) bool { return p.Contains(ip.Unmap()) }) {
			return fmt.Errorf("names a %s address, which outbound requests may not reach unless --egress-allow lists it", why)
		}
	}
	return nil
}

// Create stores a subscription and its sealed signing secret and answers
// the secret once. The secret is written first without an audit entry; the
// subscription's insert carries the request's entry. When the insert
// fails, the secret is removed again.
func (s *Service) Create(ctx context.Context, orgID, actor string, in Input) (*Created, error) {
	now := s.now()
	sub := &Subscription{ID: database.NewID(), OrganizationID: orgID, URL: in.URL, Events: in.Events, Description: in.Description,
		Enabled: in.Enabled == nil || *in.Enabled, CreatedBy: actor, CreatedAt: now, UpdatedAt: now}
	var v capsule.Validation
	s.check(&v, sub)
	if err := v.Err(); err != nil {
		return nil, err
	}
	if s.Keyring == nil {
		return nil, capsule.NotImplemented("webhooks without the secret store's master key")
	}
	secret := NewSecret()
	sec := &identity.Secret{OrganizationID: orgID, Name: SecretNamePrefix + sub.ID, CreatedBy: actor}
	seal := func(id string, version int) (secretbox.Sealed, error) {
		return s.Keyring.Seal([]byte(secret), identity.SecretAAD(id, version))
	}
	if err := s.Secrets.PutSecret(database.WithoutTxHook(ctx), sec, seal, now); err != nil {
		return nil, err
	}
	sub.SecretID = sec.ID
	if err := s.Store.insert(ctx, sub); err != nil {
		_ = s.Secrets.DeleteSecret(database.WithoutTxHook(context.WithoutCancel(ctx)), sec.ID)
		return nil, err
	}
	return &Created{Subscription: *sub, Secret: secret}, nil
}

// Update applies p. Enabling a subscription clears why it was disabled.
func (s *Service) Update(ctx context.Context, sub *Subscription, p Patch) (*Subscription, error) {
	out := *sub
	if p.URL != nil {
		out.URL = *p.URL
	}
	if p.Events != nil {
		out.Events = p.Events
	}
	if p.Description != nil {
		out.Description = *p.Description
	}
	if p.Enabled != nil {
		out.Enabled = *p.Enabled
		if out.Enabled {
			out.DisabledReason = ""
		}
	}
	var v capsule.Validation
	s.check(&v, &out)
	if err := v.Err(); err != nil {
		return nil, err
	}
	out.UpdatedAt = s.now()
	if err := s.Store.update(ctx, &out); err != nil {
		return nil, err
	}
	return &out, nil
}

// Delete removes a subscription, its deliveries and its secret.
func (s *Service) Delete(ctx context.Context, sub *Subscription) error {
	if err := s.Store.delete(ctx, sub.ID); err != nil {
		return err
	}
	err := s.Secrets.DeleteSecret(database.WithoutTxHook(context.WithoutCancel(ctx)), sub.SecretID)
	if err != nil && !capsule.IsNotFound(err) {
		return err
	}
	return nil
}

// Redeliver queues a delivery again at once (same message id).
func (s *Service) Redeliver(ctx context.Context, sub *Subscription, deliveryID string) (*Delivery, error) {
	if err := s.Store.redeliver(ctx, sub.ID, deliveryID, s.now()); err != nil {
		return nil, err
	}
	return s.Store.Delivery(ctx, sub.ID, deliveryID)
}

// Test queues a webhook.test message for this subscription alone, whatever
// its patterns, and returns its delivery.
func (s *Service) Test(ctx context.Context, sub *Subscription) (*Delivery, error) {
	now := s.now()
	data := map[string]any{"webhookId": sub.ID, "organizationId": sub.OrganizationID, "message": "a test message from Capsule"}
	body, err := jsonMessage(TestEvent, now, data)
	if err != nil {
		return nil, err
	}
	msgID := messageID("")
	err = s.Store.db.InTx(ctx, func(tx *database.Tx) error {
		return enqueue(ctx, tx, sub.ID, msgID, TestEvent, body, now)
	})
	if err != nil {
		return nil, database.DomainError(err, nil)
	}
	var id string
	if err := s.Store.db.QueryRow(ctx, `SELECT id FROM webhook_deliveries WHERE subscription_id = ? AND msg_id = ?`, sub.ID, msgID).Scan(&id); err != nil {
		return nil, database.DomainError(err, nil)
	}
	return s.Store.Delivery(ctx, sub.ID, id)
}

// signingKey opens a subscription's sealed secret.
func signingKey(ctx context.Context, secrets identity.SecretStore, ring *secretbox.Keyring, secretID string) ([]byte, error) {
	sealed, v, err := secrets.SecretVersion(ctx, secretID, 0)
	if err != nil {
		return nil, err
	}
	plain, err := ring.Open(sealed, identity.SecretAAD(secretID, v))
	if err != nil {
		return nil, fmt.Errorf("webhook: opening signing secret %s: %w", secretID, err)
	}
	return SecretKey(string(plain))
}

package notify

import (
	"context"
	"crypto/x509"
	"encoding/json"
	"fmt"
	"net/http"
	"net/netip"
	"slices"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/identity"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// SecretNamePrefix starts the secret-store name of a channel's sealed
// parts; the secrets API refuses such names.
const SecretNamePrefix = "capsule.notify."

// Service keeps channels and rules and sends through them.
type Service struct {
	DB      *database.DB
	Secrets identity.SecretStore
	Keyring *secretbox.Keyring
	// Client is the guarded egress client every HTTP channel uses.
	Client *http.Client
	// Allow are the non-public networks (--egress-allow) an SMTP server may be on.
	Allow []netip.Prefix
	// RootCAs verifies SMTP servers; nil is the system pool.
	RootCAs *x509.CertPool
	// PublicURL is where the UI is served, for links in messages.
	PublicURL string
}

// CreateChannel seals the channel's secret parts (without an audit entry)
// and stores the channel (carrying the request's entry); the secret goes
// again when the insert fails.
func (s *Service) CreateChannel(ctx context.Context, orgID, actor string, in ChannelInput) (*CreatedChannel, error) {
	if err := in.check(); err != nil {
		return nil, err
	}
	if s.Keyring == nil {
		return nil, capsule.NotImplemented("notification channels without the secret store's master key")
	}
	now := database.Now()
	window := 60
	if in.GroupWindowSeconds != nil {
		window = *in.GroupWindowSeconds
	}
	c := &Channel{ID: database.NewID(), OrganizationID: orgID, Name: in.Name, Kind: in.Kind, Config: in.Config,
		QuietHours: in.QuietHours, GroupWindowSeconds: window, CreatedBy: actor, CreatedAt: now, UpdatedAt: now}
	plain, _ := json.Marshal(in.Secret)
	sec := &identity.Secret{OrganizationID: orgID, Name: SecretNamePrefix + c.ID, CreatedBy: actor}
	seal := func(id string, v int) (secretbox.Sealed, error) {
		return s.Keyring.Seal(plain, identity.SecretAAD(id, v))
	}
	if err := s.Secrets.PutSecret(database.WithoutTxHook(ctx), sec, seal, now); err != nil {
		return nil, err
	}
	c.SecretID = sec.ID
	if err := s.insertChannel(ctx, c); err != nil {
		_ = s.Secrets.DeleteSecret(database.WithoutTxHook(context.WithoutCancel(ctx)), sec.ID)
		return nil, err
	}
	out := &CreatedChannel{Channel: *c}
	if c.Kind == KindWebhook {
		out.SigningSecret = in.Secret.SigningSecret
	}
	return out, nil
}

// DeleteChannel removes a channel, its rules, its queue and its secret.
func (s *Service) DeleteChannel(ctx context.Context, c *Channel) error {
	if err := s.deleteRow(ctx, "notification_channels", "notification channel", c.ID); err != nil {
		return err
	}
	err := s.Secrets.DeleteSecret(database.WithoutTxHook(context.WithoutCancel(ctx)), c.SecretID)
	if err != nil && !capsule.IsNotFound(err) {
		return err
	}
	return nil
}

// RuleInput is a new rule.
type RuleInput struct {
	OrganizationID string   `json:"organizationId,omitempty"`
	ChannelID      string   `json:"channelId"`
	Events         []string `json:"events,omitempty"`
	ProjectID      string   `json:"projectId,omitempty"`
	EnvironmentID  string   `json:"environmentId,omitempty"`
	MinSeverity    string   `json:"minSeverity,omitempty"`
}

// CreateRule stores a rule; its channel must be of the same organization.
func (s *Service) CreateRule(ctx context.Context, orgID, actor string, in RuleInput) (*Rule, error) {
	var v capsule.Validation
	for i, k := range in.Events {
		if !slices.Contains(Events, k) {
			v.Add(fmt.Sprintf("events[%d]", i), "%q is not one of %v", k, Events)
		}
	}
	if in.MinSeverity == "" {
		in.MinSeverity = SeverityInfo
	}
	if SeverityRank(in.MinSeverity) < 0 {
		v.Add("minSeverity", "%q is not one of %v", in.MinSeverity, Severities)
	}
	if in.ChannelID == "" {
		v.Add("channelId", "is required")
	}
	if err := v.Err(); err != nil {
		return nil, err
	}
	ch, err := s.FindChannel(ctx, in.ChannelID)
	if err != nil || ch.OrganizationID != orgID {
		return nil, capsule.NotFound("notification channel", in.ChannelID)
	}
	r := &Rule{ID: database.NewID(), OrganizationID: orgID, ChannelID: ch.ID, Events: in.Events, ProjectID: in.ProjectID,
		EnvironmentID: in.EnvironmentID, MinSeverity: in.MinSeverity, CreatedBy: actor, CreatedAt: database.Now()}
	if r.Events == nil {
		r.Events = []string{}
	}
	events, _ := json.Marshal(r.Events)
	database.NoteTarget(ctx, r.ID)
	err = s.DB.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, `INSERT INTO notification_rules (`+ruleCols+`) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)`,
			r.ID, r.OrganizationID, r.ChannelID, string(events), r.ProjectID, r.EnvironmentID, r.MinSeverity, r.CreatedBy, database.TimeOf(r.CreatedAt))
		return err
	})
	return r, database.DomainError(err, nil)
}

// DeleteRule removes a rule.
func (s *Service) DeleteRule(ctx context.Context, r *Rule) error {
	return s.deleteRow(ctx, "notification_rules", "notification rule", r.ID)
}

// sender opens a channel's secret and builds its sender.
func (s *Service) sender(ctx context.Context, c *Channel) (Sender, error) {
	sealed, v, err := s.Secrets.SecretVersion(ctx, c.SecretID, 0)
	if err != nil {
		return nil, err
	}
	plain, err := s.Keyring.Open(sealed, identity.SecretAAD(c.SecretID, v))
	if err != nil {
		return nil, fmt.Errorf("notify: opening channel %s's secret: %w", c.ID, err)
	}
	var sec ChannelSecret
	if err := json.Unmarshal(plain, &sec); err != nil {
		return nil, fmt.Errorf("notify: channel %s's secret: %w", c.ID, err)
	}
	return senderFor(c, sec, SenderOptions{Allow: s.Allow, RootCAs: s.RootCAs})
}

// client is the guarded client; without one, egress's default (which
// refuses every non-public address but the allowed ones).
func (s *Service) client() *http.Client {
	if s.Client != nil {
		return s.Client
	}
	return egress.New(egress.Options{Allow: s.Allow})
}

// TestResult is the answer of a test send.
type TestResult struct {
	Delivered bool   `json:"delivered"`
	Error     string `json:"error,omitempty"`
}

// TestChannel sends a test message through the channel now.
func (s *Service) TestChannel(ctx context.Context, c *Channel) (TestResult, error) {
	snd, err := s.sender(ctx, c)
	if err != nil {
		return TestResult{}, err
	}
	m := Message{Kind: EventTest, Severity: SeverityInfo, Scope: Scope{OrganizationID: c.OrganizationID},
		Title: titleOf(EventTest, 1, c.Name), Text: "Capsule can reach this channel.", URL: link(s.PublicURL, "/settings/notifications"),
		Count: 1, DedupKey: "test:" + database.NewID(), Time: time.Now().UTC()}
	sctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	if err := snd.Send(sctx, s.client(), m); err != nil {
		return TestResult{Error: err.Error()}, nil
	}
	return TestResult{Delivered: true}, nil
}

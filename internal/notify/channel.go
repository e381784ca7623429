package notify

import (
	"crypto/x509"
	"fmt"
	"net/mail"
	"net/netip"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/webhook"
)

// Channel kinds.
const (
	KindSlackWebhook = "slack_webhook"
	KindSlackBot     = "slack_bot"
	KindTeams        = "teams"
	KindEmail        = "email"
	KindPagerDuty    = "pagerduty"
	KindWebhook      = "webhook"
)

// Kinds lists the channel kinds.
var Kinds = []string{KindSlackWebhook, KindSlackBot, KindTeams, KindEmail, KindPagerDuty, KindWebhook}

// Channel is where an organization's notifications go. Its secret parts
// are never part of it.
type Channel struct {
	ID                 string        `json:"id"`
	OrganizationID     string        `json:"organizationId"`
	Name               string        `json:"name"`
	Kind               string        `json:"kind"`
	Config             ChannelConfig `json:"config"`
	QuietHours         *QuietSpec    `json:"quietHours,omitempty"`
	GroupWindowSeconds int           `json:"groupWindowSeconds"`
	CreatedBy          string        `json:"createdBy,omitempty"`
	CreatedAt          time.Time     `json:"createdAt"`
	UpdatedAt          time.Time     `json:"updatedAt"`
	SecretID           string        `json:"-"`
}

// ChannelConfig is the part of a channel's configuration that may be shown.
type ChannelConfig struct {
	Channel  string   `json:"channel,omitempty"`  // slack_bot: #channel or its id
	BaseURL  string   `json:"baseUrl,omitempty"`  // slack_bot, pagerduty: the API's base URL (default the provider's)
	URL      string   `json:"url,omitempty"`      // webhook: the receiver
	Host     string   `json:"host,omitempty"`     // email: SMTP server
	Port     int      `json:"port,omitempty"`     // email: default 587
	Username string   `json:"username,omitempty"` // email
	From     string   `json:"from,omitempty"`     // email
	To       []string `json:"to,omitempty"`       // email
	TLS      string   `json:"tls,omitempty"`      // email: starttls (default), tls, none
}

// ChannelSecret are the sealed parts of a channel's configuration.
type ChannelSecret struct {
	URL           string `json:"url,omitempty"`           // slack_webhook, teams: the webhook URL
	Token         string `json:"token,omitempty"`         // slack_bot: xoxb-...
	Password      string `json:"password,omitempty"`      // email
	RoutingKey    string `json:"routingKey,omitempty"`    // pagerduty
	SigningSecret string `json:"signingSecret,omitempty"` // webhook: generated when empty
}

// QuietSpec is a channel's quiet hours as written: "22:00", "07:00", an
// IANA time zone (default UTC).
type QuietSpec struct {
	Start    string `json:"start"`
	End      string `json:"end"`
	Timezone string `json:"timezone,omitempty"`
}

// ChannelInput is a new channel.
type ChannelInput struct {
	OrganizationID     string        `json:"organizationId,omitempty"`
	Name               string        `json:"name"`
	Kind               string        `json:"kind"`
	Config             ChannelConfig `json:"config"`
	Secret             ChannelSecret `json:"secret"`
	QuietHours         *QuietSpec    `json:"quietHours,omitempty"`
	GroupWindowSeconds *int          `json:"groupWindowSeconds,omitempty"`
}

// CreatedChannel answers a new channel; SigningSecret (webhook channels)
// is shown this once.
type CreatedChannel struct {
	Channel
	SigningSecret string `json:"signingSecret,omitempty"`
}

// parse turns a QuietSpec into QuietHours.
func (q *QuietSpec) parse() (*QuietHours, error) {
	if q == nil {
		return nil, nil
	}
	start, err := clock(q.Start)
	if err != nil {
		return nil, fmt.Errorf("start: %w", err)
	}
	end, err := clock(q.End)
	if err != nil {
		return nil, fmt.Errorf("end: %w", err)
	}
	loc := time.UTC
	if q.Timezone != "" {
		if loc, err = time.LoadLocation(q.Timezone); err != nil {
			return nil, fmt.Errorf("timezone %q is not an IANA time zone", q.Timezone)
		}
	}
	return &QuietHours{Start: start, End: end, Location: loc}, nil
}

func clock(s string) (int, error) {
	h, m, ok := strings.Cut(s, ":")
	hh, err1 := strconv.Atoi(h)
	mm, err2 := strconv.Atoi(m)
	if !ok || err1 != nil || err2 != nil || len(m) != 2 || hh < 0 || hh > 23 || mm < 0 || mm > 59 {
		return 0, fmt.Errorf("%q is not a time of day like 22:00", s)
	}
	return hh*60 + mm, nil
}

func checkHTTPURL(v *capsule.Validation, field, raw string, required bool) {
	if raw == "" {
		if required {
			v.Add(field, "is required")
		}
		return
	}
	u, err := url.Parse(raw)
	if err != nil || (u.Scheme != "https" && u.Scheme != "http") || u.Host == "" || len(raw) > 2048 {
		v.Add(field, "is not an absolute http or https URL")
	}
}

// check validates a new channel; the signing secret of a webhook channel
// is generated here when none is given.
func (in *ChannelInput) check() error {
	var v capsule.Validation
	if in.Name == "" || utf8.RuneCountInString(in.Name) > 100 {
		v.Add("name", "is required, at most 100 characters")
	}
	c, s := in.Config, &in.Secret
	switch in.Kind {
	case KindSlackWebhook, KindTeams:
		checkHTTPURL(&v, "secret.url", s.URL, true)
	case KindSlackBot:
		if s.Token == "" {
			v.Add("secret.token", "is required (a bot token, xoxb-...)")
		}
		if c.Channel == "" {
			v.Add("config.channel", "is required")
		}
		checkHTTPURL(&v, "config.baseUrl", c.BaseURL, false)
	case KindPagerDuty:
		if s.RoutingKey == "" {
			v.Add("secret.routingKey", "is required (the integration's routing key)")
		}
		checkHTTPURL(&v, "config.baseUrl", c.BaseURL, false)
	case KindWebhook:
		checkHTTPURL(&v, "config.url", c.URL, true)
		if s.SigningSecret == "" {
			s.SigningSecret = webhook.NewSecret()
		} else if _, err := webhook.SecretKey(s.SigningSecret); err != nil {
			v.Add("secret.signingSecret", "%v", err)
		}
	case KindEmail:
		if c.Host == "" {
			v.Add("config.host", "is required")
		}
		if c.Port < 0 || c.Port > 65535 {
			v.Add("config.port", "%d is not a port", c.Port)
		}
		if _, err := mail.ParseAddress(c.From); err != nil {
			v.Add("config.from", "%q is not an email address", c.From)
		}
		if len(c.To) == 0 || len(c.To) > 50 {
			v.Add("config.to", "needs 1 to 50 addresses")
		}
		for i, to := range c.To {
			if _, err := mail.ParseAddress(to); err != nil {
				v.Add(fmt.Sprintf("config.to[%d]", i), "%q is not an email address", to)
			}
		}
		if !slices.Contains([]string{"", TLSStartTLS, TLSImplicit, TLSNone}, c.TLS) {
			v.Add("config.tls", "%q is not starttls, tls or none", c.TLS)
		}
	default:
		v.Add("kind", "%q is not one of %s", in.Kind, strings.Join(Kinds, ", "))
	}
	if _, err := in.QuietHours.parse(); err != nil {
		v.Add("quietHours", "%v", err)
	}
	if w := in.GroupWindowSeconds; w != nil && (*w < 0 || *w > 86400) {
		v.Add("groupWindowSeconds", "%d is not between 0 and 86400", *w)
	}
	return v.Err()
}

// SenderOptions are what a sender needs beyond the channel.
type SenderOptions struct {
	Allow   []netip.Prefix
	RootCAs *x509.CertPool
}

// senderFor builds the sender of a channel with its opened secret.
func senderFor(ch *Channel, sec ChannelSecret, o SenderOptions) (Sender, error) {
	c := ch.Config
	switch ch.Kind {
	case KindSlackWebhook:
		return SlackWebhook{URL: sec.URL}, nil
	case KindSlackBot:
		return SlackBot{Token: sec.Token, Channel: c.Channel, BaseURL: c.BaseURL}, nil
	case KindTeams:
		return Teams{URL: sec.URL}, nil
	case KindPagerDuty:
		return PagerDuty{RoutingKey: sec.RoutingKey, BaseURL: c.BaseURL}, nil
	case KindWebhook:
		return Webhook{URL: c.URL, Secret: sec.SigningSecret}, nil
	case KindEmail:
		port := c.Port
		if port == 0 {
			port = 587
		}
		return Email{Host: c.Host, Port: port, Username: c.Username, Password: sec.Password, From: c.From, To: c.To,
			TLS: c.TLS, Allow: o.Allow, RootCAs: o.RootCAs}, nil
	}
	return nil, fmt.Errorf("notify: unknown channel kind %q", ch.Kind)
}

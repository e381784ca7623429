// Package notify sends Capsule's notifications (approval requested,
// promotion merged, deployment failed or rolled back, drift found, cost
// anomaly, budget breach, agent offline) to Slack, Microsoft Teams, email,
// PagerDuty and signed webhooks, routed by rules and grouped so a burst
// does not flood a channel.
//
// Design decisions:
//   - A channel is its kind plus a configuration whose secret parts (Slack
//     and Teams webhook URLs, the Slack bot token, the SMTP password, the
//     PagerDuty routing key, the webhook signing secret) are sealed in the
//     secret store; Config holds only what may be shown.
//   - Every HTTP request goes through the *http.Client given (the guarded
//     egress client); SMTP dials through the same address policy
//     (egress.Classify on the dialed address, --egress-allow honoured).
//   - Errors name the channel kind and what failed (a status code, Slack's
//     error code), never the body a provider answered.
//   - Grouping and quiet hours are a pure engine (Grouper) driven by the
//     caller's clock, so they are tested without waiting.
package notify

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"strings"
	"time"
)

// Severities, lowest first.
const (
	SeverityInfo     = "info"
	SeverityWarning  = "warning"
	SeverityError    = "error"
	SeverityCritical = "critical"
)

// Severities lists the severities, lowest first.
var Severities = []string{SeverityInfo, SeverityWarning, SeverityError, SeverityCritical}

// SeverityRank orders severities; unknown ones rank -1.
func SeverityRank(s string) int {
	for i, v := range Severities {
		if v == s {
			return i
		}
	}
	return -1
}

// Event kinds rules route.
const (
	EventApprovalRequested  = "approval.requested"
	EventPromotionMerged    = "promotion.merged"
	EventDeploymentFailed   = "deployment.failed"
	EventDeploymentRollback = "deployment.rolled_back"
	EventDriftFound         = "drift.found"
	EventCostAnomaly        = "cost.anomaly"
	EventBudgetBreach       = "budget.breach"
	EventAgentOffline       = "agent.offline"
	EventTest               = "notification.test"
)

// Events lists the event kinds a rule may name.
var Events = []string{EventApprovalRequested, EventPromotionMerged, EventDeploymentFailed, EventDeploymentRollback,
	EventDriftFound, EventCostAnomaly, EventBudgetBreach, EventAgentOffline}

// Scope is where an event happened.
type Scope struct {
	OrganizationID string `json:"organizationId"`
	ProjectID      string `json:"projectId,omitempty"`
	EnvironmentID  string `json:"environmentId,omitempty"`
}

// Event is one thing worth telling people about.
type Event struct {
	// ID is the event's row in the queue (set by the store).
	ID       string    `json:"-"`
	Kind     string    `json:"kind"`
	Severity string    `json:"severity"`
	Scope    Scope     `json:"scope"`
	Time     time.Time `json:"time"`
	// Subject names the thing ("service api in production"), Path is its
	// page in the UI ("/deployments/<id>"), Detail says what happened.
	Subject string `json:"subject"`
	Path    string `json:"path,omitempty"`
	Detail  string `json:"detail,omitempty"`
	// Resolve marks the end of a condition (an agent back online): PagerDuty
	// resolves the incident with the same dedup key.
	Resolve bool `json:"resolve,omitempty"`
}

// Message is what one channel is sent: one event, or a group of events of
// the same kind and scope (Count > 1), or a digest held through quiet hours.
type Message struct {
	Kind     string `json:"kind"`
	Severity string `json:"severity"`
	Scope    Scope  `json:"scope"`
	Title    string `json:"title"`
	Text     string `json:"text"`
	// URL links to the thing in the UI; empty without a public URL.
	URL      string    `json:"url,omitempty"`
	Count    int       `json:"count"`
	DedupKey string    `json:"dedupKey"`
	Resolve  bool      `json:"resolve,omitempty"`
	Time     time.Time `json:"time"`
	// EventIDs are the queued events the message covers.
	EventIDs []string `json:"-"`
}

// Sender delivers a message to one kind of channel.
type Sender interface {
	Send(ctx context.Context, hc *http.Client, m Message) error
}

// SendError is a failed send: the channel kind and what failed, never a
// provider's answer.
type SendError struct {
	Kind   string
	Reason string
}

func (e *SendError) Error() string { return "notify: " + e.Kind + ": " + e.Reason }

func failed(kind, format string, args ...any) error {
	return &SendError{Kind: kind, Reason: fmt.Sprintf(format, args...)}
}

// titleOf is a message's one-line title.
func titleOf(kind string, count int, subject string) string {
	label := map[string]string{
		EventApprovalRequested: "Approval requested", EventPromotionMerged: "Promotion merged",
		EventDeploymentFailed: "Deployment failed", EventDeploymentRollback: "Deployment rolled back",
		EventDriftFound: "Drift found", EventCostAnomaly: "Cost anomaly", EventBudgetBreach: "Budget breached",
		EventAgentOffline: "Agent offline", EventTest: "Test notification",
	}[kind]
	if label == "" {
		label = kind
	}
	if count > 1 {
		return fmt.Sprintf("%s ×%d: %s", label, count, subject)
	}
	return label + ": " + subject
}

// link joins the public URL and a UI path.
func link(publicURL, path string) string {
	if publicURL == "" || path == "" {
		return ""
	}
	return strings.TrimRight(publicURL, "/") + "/" + strings.TrimLeft(path, "/")
}

func errorsAs[T error](err error, target *T) bool { return errors.As(err, target) }

// Compile-time checks that every channel kind is a Sender.
var (
	_ Sender = SlackWebhook{}
	_ Sender = SlackBot{}
	_ Sender = Teams{}
	_ Sender = PagerDuty{}
	_ Sender = Email{}
	_ Sender = Webhook{}
)

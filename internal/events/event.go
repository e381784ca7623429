// Package events carries live events (deployment progress, pod logs) from
// whatever produces them (the deploy runner) to whoever watches (the
// WebSocket at GET /api/v1/events, later webhooks and notifications).
//
// Design decisions:
//   - One in-process Hub per replica. Publishing never blocks: each
//     subscriber has a bounded queue, and a subscriber that falls behind
//     loses events and then receives one stream.lagged event (with how many
//     it missed) telling it to re-read the state it shows; after that it
//     receives new events again.
//   - Across replicas (PostgreSQL) a Relay carries every event to every
//     replica (LISTEN/NOTIFY, see package pgrelay); the publishing replica
//     receives its own events back through it too, so all replicas deliver
//     the events in the one order the database gave them. On SQLite there
//     is one replica and the hub delivers directly.
//   - Seq numbers the events: from a database sequence on PostgreSQL (one
//     order for the installation), from a counter on SQLite. A subscriber
//     orders by Seq; gaps are normal (events of others' scopes).
//   - Every event carries its Scope (organization, project, environment,
//     service, deployment), so a reader can decide with the same RBAC
//     decision as the API's guard whether a caller may see it.
//   - Payloads stay small: a log line is cut at MaxLine bytes (Truncated
//     says so), which also keeps every event under PostgreSQL's 8000-byte
//     NOTIFY limit.
package events

import (
	"slices"
	"time"
	"unicode/utf8"
)

// Type names what happened.
type Type string

// The event types.
const (
	DeploymentStarted   Type = "deployment.started"
	DeploymentProgress  Type = "deployment.progress"
	DeploymentCompleted Type = "deployment.completed"
	DeploymentFailed    Type = "deployment.failed"
	LogStdout           Type = "log.stdout"
	LogStderr           Type = "log.stderr"
	// StreamLagged tells a subscriber it missed events (Missed of them, 0
	// when unknown, e.g. after the relay reconnected) and must re-read the
	// state it shows.
	StreamLagged Type = "stream.lagged"
	// EnvironmentDrift says an environment drifted from what Capsule
	// deployed, or came back in sync (Message says which).
	EnvironmentDrift Type = "environment.drift"
	// CostBudget says a budget's month to date reached, or its forecast
	// reaches, one of its thresholds (Message says which); organization
	// scoped, seen by those who may view billing.
	CostBudget Type = "cost.budget"
)

// Types are the event types a publisher may publish.
var Types = []Type{DeploymentStarted, DeploymentProgress, DeploymentCompleted, DeploymentFailed, LogStdout, LogStderr,
	EnvironmentDrift, CostBudget}

// MaxLine bounds a log line or message carried by one event, in bytes.
const MaxLine = 4096

// Scope is where an event happened, for permission checks and filters.
type Scope struct {
	OrganizationID string `json:"organizationId"`
	ProjectID      string `json:"projectId"`
	EnvironmentID  string `json:"environmentId"`
	ServiceID      string `json:"serviceId,omitempty"`
	DeploymentID   string `json:"deploymentId,omitempty"`
}

// Event is one live event.
type Event struct {
	Type  Type      `json:"type"`
	Seq   int64     `json:"seq"`
	Time  time.Time `json:"time"`
	Scope Scope     `json:"scope"`
	// Percent (0-100) and Message describe progress; Message also says why
	// a deployment failed or how it completed.
	Percent *int   `json:"percent,omitempty"`
	Message string `json:"message,omitempty"`
	// Pod, Container and Line are a log line's origin and text.
	Pod       string `json:"pod,omitempty"`
	Container string `json:"container,omitempty"`
	Line      string `json:"line,omitempty"`
	// Truncated reports that Line or Message was cut at MaxLine bytes.
	Truncated bool `json:"truncated,omitempty"`
	// Missed is how many events a stream.lagged subscriber lost (0: unknown).
	Missed int64 `json:"missed,omitempty"`
}

// Progress returns a deployment.progress event.
func Progress(s Scope, percent int, message string) Event {
	p := min(max(percent, 0), 100)
	return Event{Type: DeploymentProgress, Scope: s, Percent: &p, Message: message}
}

// clip cuts long text at MaxLine bytes on a rune boundary.
func (e *Event) clip() {
	for _, f := range []*string{&e.Line, &e.Message} {
		if len(*f) <= MaxLine {
			continue
		}
		cut := MaxLine
		for cut > 0 && !utf8.RuneStart((*f)[cut]) {
			cut--
		}
		*f, e.Truncated = (*f)[:cut], true
	}
}

// Filter selects the events a subscriber receives. Empty lists match
// everything; several lists must all match (an event of deployment D in
// service S matches Deployments [D] and Services [S]).
type Filter struct {
	Deployments, Services, Environments []string
	Types                               []Type
}

// Match reports whether e passes f.
func (f Filter) Match(e Event) bool {
	in := func(list []string, v string) bool { return len(list) == 0 || slices.Contains(list, v) }
	return in(f.Deployments, e.Scope.DeploymentID) && in(f.Services, e.Scope.ServiceID) &&
		in(f.Environments, e.Scope.EnvironmentID) && (len(f.Types) == 0 || slices.Contains(f.Types, e.Type))
}

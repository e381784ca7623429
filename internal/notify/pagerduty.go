package notify

import (
	"context"
	"net/http"
)

// PagerDuty sends Events API v2 events: trigger (or resolve) with the
// message's dedup key, so a group of the same events is one incident.
type PagerDuty struct {
	RoutingKey string // secret: the integration key
	// BaseURL is https://events.pagerduty.com unless a test points elsewhere.
	BaseURL string
}

// pdSeverity maps Capsule's severities onto PagerDuty's (the same four).
func pdSeverity(s string) string {
	if SeverityRank(s) < 0 {
		return SeverityWarning
	}
	return s
}

// Send enqueues the event; PagerDuty answers 202 Accepted.
func (p PagerDuty) Send(ctx context.Context, hc *http.Client, m Message) error {
	base := p.BaseURL
	if base == "" {
		base = "https://events.pagerduty.com"
	}
	action := "trigger"
	if m.Resolve {
		action = "resolve"
	}
	ev := map[string]any{
		"routing_key":  p.RoutingKey,
		"event_action": action,
		"dedup_key":    m.DedupKey,
		"payload": map[string]any{
			"summary":        clipRunes(m.Title, 1024),
			"source":         "capsule",
			"severity":       pdSeverity(m.Severity),
			"timestamp":      m.Time.UTC().Format("2006-01-02T15:04:05.000Z"),
			"class":          m.Kind,
			"custom_details": map[string]any{"text": m.Text, "count": m.Count, "organizationId": m.Scope.OrganizationID, "projectId": m.Scope.ProjectID, "environmentId": m.Scope.EnvironmentID},
		},
		"client": "Capsule",
	}
	if m.URL != "" {
		ev["links"] = []any{map[string]any{"href": m.URL, "text": "Open in Capsule"}}
		ev["client_url"] = m.URL
	}
	status, _, err := postJSON(ctx, hc, "pagerduty", base+"/v2/enqueue", nil, ev)
	if err != nil {
		return err
	}
	if status != http.StatusAccepted {
		return failed("pagerduty", "the Events API answered HTTP %d", status)
	}
	return nil
}

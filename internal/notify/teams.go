package notify

import (
	"context"
	"net/http"
)

// Teams posts an Adaptive Card message to a Microsoft Teams incoming
// webhook or a Workflows (Power Automate) webhook, which both take the
// {"type": "message", "attachments": [adaptive card]} shape.
type Teams struct {
	URL string // secret: the URL is the credential
}

func teamsBody(m Message) map[string]any {
	card := map[string]any{
		"$schema": "http://adaptivecards.io/schemas/adaptive-card.json",
		"type":    "AdaptiveCard",
		"version": "1.4",
		"body": []any{
			map[string]any{"type": "TextBlock", "text": m.Title, "weight": "Bolder", "size": "Medium", "wrap": true},
			map[string]any{"type": "TextBlock", "text": m.Text, "wrap": true},
			map[string]any{"type": "FactSet", "facts": []any{map[string]any{"title": "Severity", "value": m.Severity}}},
		},
	}
	if m.URL != "" {
		card["actions"] = []any{map[string]any{"type": "Action.OpenUrl", "title": "Open in Capsule", "url": m.URL}}
	}
	return map[string]any{"type": "message", "attachments": []any{map[string]any{
		"contentType": "application/vnd.microsoft.card.adaptive", "contentUrl": nil, "content": card}}}
}

// Send posts the card; incoming webhooks answer 200, Workflows 202.
func (t Teams) Send(ctx context.Context, hc *http.Client, m Message) error {
	status, _, err := postJSON(ctx, hc, "teams", t.URL, nil, teamsBody(m))
	if err != nil {
		return err
	}
	if status != http.StatusOK && status != http.StatusAccepted {
		return failed("teams", "the webhook answered HTTP %d", status)
	}
	return nil
}

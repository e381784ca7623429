package notify

import (
	"context"
	"encoding/json"
	"net/http"
)

// SlackWebhook posts to a Slack incoming webhook: JSON {"text", "blocks"}
// (text is the notification's fallback). Slack answers 200 "ok".
type SlackWebhook struct {
	URL string // secret: the URL is the credential
}

// slackBody is the message in Block Kit: a header, the text, a link.
func slackBody(m Message) map[string]any {
	text := m.Text
	if m.URL != "" {
		text += "\n<" + m.URL + "|Open in Capsule>"
	}
	return map[string]any{
		"text": m.Title,
		"blocks": []any{
			map[string]any{"type": "header", "text": map[string]any{"type": "plain_text", "text": clipRunes(m.Title, 150)}},
			map[string]any{"type": "section", "text": map[string]any{"type": "mrkdwn", "text": clipRunes(text, 3000)}},
			map[string]any{"type": "context", "elements": []any{map[string]any{"type": "mrkdwn", "text": "severity: *" + m.Severity + "*"}}},
		},
	}
}

// Send posts the message.
func (s SlackWebhook) Send(ctx context.Context, hc *http.Client, m Message) error {
	status, _, err := postJSON(ctx, hc, "slack", s.URL, nil, slackBody(m))
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return failed("slack", "the incoming webhook answered HTTP %d", status)
	}
	return nil
}

// SlackBot posts with a bot token through chat.postMessage.
type SlackBot struct {
	Token   string // secret: xoxb-...
	Channel string
	// BaseURL is https://slack.com/api unless a test points elsewhere.
	BaseURL string
}

// slackErrorCode reports whether s looks like one of Slack's error codes
// (channel_not_found), the only part of its answer an error may name.
func slackErrorCode(s string) bool {
	if s == "" || len(s) > 64 {
		return false
	}
	for _, c := range s {
		if (c < 'a' || c > 'z') && c != '_' {
			return false
		}
	}
	return true
}

// Send posts the message; Slack answers 200 with {"ok": false, "error"} on
// failure, whose error code is named.
func (s SlackBot) Send(ctx context.Context, hc *http.Client, m Message) error {
	base := s.BaseURL
	if base == "" {
		base = "https://slack.com/api"
	}
	body := slackBody(m)
	body["channel"] = s.Channel
	status, head, err := postJSON(ctx, hc, "slack", base+"/chat.postMessage", map[string]string{"Authorization": "Bearer " + s.Token}, body)
	if err != nil {
		return err
	}
	if status != http.StatusOK {
		return failed("slack", "chat.postMessage answered HTTP %d", status)
	}
	var ans struct {
		OK    bool   `json:"ok"`
		Error string `json:"error"`
	}
	if json.Unmarshal(head, &ans) != nil {
		return failed("slack", "chat.postMessage answered something other than Slack's JSON")
	}
	if !ans.OK {
		code := "unknown"
		if slackErrorCode(ans.Error) {
			code = ans.Error
		}
		return failed("slack", "chat.postMessage failed: %s", code)
	}
	return nil
}

func clipRunes(s string, n int) string {
	r := []rune(s)
	if len(r) <= n {
		return s
	}
	return string(r[:n-1]) + "…"
}

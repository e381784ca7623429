package pgrelay

import (
	"strconv"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/events"
)

// FuzzDecode: a notification payload either decodes to an event carrying
// the prefix's sequence number or is refused; it never panics.
func FuzzDecode(f *testing.F) {
	for _, seed := range []string{`7 {"type":"deployment.started","seq":0,"time":"2026-01-01T00:00:00Z","scope":{"organizationId":"o","projectId":"p","environmentId":"e"}}`,
		"", "7", "x {}", "-1 {}", "9999999999999999999 {}", `3 {"percent":"a"}`, `1 null`} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, payload string) {
		e, err := decode(payload)
		if err != nil {
			return
		}
		num, _, _ := strings.Cut(payload, " ")
		if want, err := strconv.ParseInt(num, 10, 64); err != nil || e.Seq != want {
			t.Fatalf("payload %q decoded with seq %d", payload, e.Seq)
		}
	})
}

// TestFitKeepsEventsUnderTheNotifyLimit: whatever the text, an encoded
// event fits one notification, cut and marked truncated when needed.
func TestFitKeepsEventsUnderTheNotifyLimit(t *testing.T) {
	e := events.Event{Type: events.LogStderr, Line: strings.Repeat("\x01", events.MaxLine), Message: strings.Repeat("é", events.MaxLine/2)}
	p, err := fit(e)
	if err != nil {
		t.Fatal(err)
	}
	if len(p) > maxPayload || !strings.Contains(p, `"truncated":true`) {
		t.Fatalf("payload of %d bytes (limit %d): %.80s", len(p), maxPayload, p)
	}
}

package notify_test

import (
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/notify"
)

var t0 = time.Date(2026, 12, 7, 12, 0, 0, 0, time.UTC)

func failedDeploy(i int, sev string) notify.Event {
	return notify.Event{Kind: notify.EventDeploymentFailed, Severity: sev, Time: t0.Add(time.Duration(i) * time.Second),
		Scope: notify.Scope{OrganizationID: "o", ProjectID: "p", EnvironmentID: "prod"}, Subject: "api in production",
		Path: "/deployments/d-" + string(rune('a'+i%26)), Detail: "image pull failed"}
}

// TestBurstIsOneMessage: 20 events of one kind and scope in the window
// become one message with count 20, sent when the window closes.
func TestBurstIsOneMessage(t *testing.T) {
	g := &notify.Grouper{Window: time.Minute, PublicURL: "https://capsule.example.com/"}
	for i := range 20 {
		g.Add(failedDeploy(i, notify.SeverityError))
	}
	if out := g.Flush(t0.Add(30 * time.Second)); len(out) != 0 {
		t.Fatalf("sent %d messages before the window closed", len(out))
	}
	out := g.Flush(t0.Add(time.Minute))
	if len(out) != 1 || out[0].Count != 20 || !strings.Contains(out[0].Title, "×20") {
		t.Fatalf("messages %+v, want one with count 20", out)
	}
	if out[0].URL != "https://capsule.example.com/deployments/d-a" || g.Pending() != 0 {
		t.Errorf("url %q, pending %d", out[0].URL, g.Pending())
	}
	other := failedDeploy(0, notify.SeverityError)
	other.Scope.EnvironmentID = "staging"
	g.Add(failedDeploy(0, notify.SeverityError))
	g.Add(other)
	if out := g.Flush(t0.Add(time.Hour)); len(out) != 2 {
		t.Errorf("two scopes gave %d messages, want 2", len(out))
	}
}

// TestQuietHoursHoldThenDigest: during quiet hours closed groups are held;
// when they end one digest carries them all. A critical group bypasses.
func TestQuietHoursHoldThenDigest(t *testing.T) {
	q := &notify.QuietHours{Start: 11 * 60, End: 13 * 60} // 11:00-13:00 UTC; t0 is 12:00
	g := &notify.Grouper{Window: time.Minute, Quiet: q}
	for i := range 3 {
		g.Add(failedDeploy(i, notify.SeverityWarning))
	}
	drift := notify.Event{Kind: notify.EventDriftFound, Severity: notify.SeverityInfo, Time: t0, Scope: notify.Scope{OrganizationID: "o"}, Subject: "prod"}
	g.Add(drift)
	crit := notify.Event{Kind: notify.EventAgentOffline, Severity: notify.SeverityCritical, Time: t0, Scope: notify.Scope{OrganizationID: "o"}, Subject: "agent eu-1"}
	g.Add(crit)
	out := g.Flush(t0.Add(2 * time.Minute))
	if len(out) != 1 || out[0].Kind != notify.EventAgentOffline {
		t.Fatalf("during quiet hours: %+v, want only the critical message", out)
	}
	if g.Pending() != 4 {
		t.Fatalf("pending %d, want 4 held", g.Pending())
	}
	if out := g.Flush(t0.Add(30 * time.Minute)); len(out) != 0 {
		t.Fatalf("still quiet, sent %+v", out)
	}
	out = g.Flush(t0.Add(61 * time.Minute))
	if len(out) != 1 || out[0].Kind != "digest" || out[0].Count != 4 || out[0].Severity != notify.SeverityWarning {
		t.Fatalf("after quiet hours: %+v, want one digest of 4", out)
	}
	if !strings.Contains(out[0].Text, "Deployment failed ×3") || !strings.Contains(out[0].Text, "Drift found") {
		t.Errorf("digest text %q", out[0].Text)
	}
}

func TestQuietHoursOverMidnight(t *testing.T) {
	q := &notify.QuietHours{Start: 22 * 60, End: 7 * 60}
	for h, want := range map[int]bool{21: false, 22: true, 23: true, 0: true, 6: true, 7: false, 12: false} {
		if got := q.Contains(time.Date(2026, 1, 1, h, 30, 0, 0, time.UTC)); got != want {
			t.Errorf("%02d:30 quiet = %v", h, got)
		}
	}
}

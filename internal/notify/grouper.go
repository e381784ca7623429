package notify

import (
	"fmt"
	"slices"
	"strings"
	"time"
)

// QuietHours is a daily span (in Location; UTC when nil) during which
// non-critical messages are held and then sent as one digest. Start and
// End are minutes after midnight; a span that ends before it starts runs
// over midnight (22:00–07:00).
type QuietHours struct {
	Start, End int
	Location   *time.Location
}

// Contains reports whether t falls in the quiet hours.
func (q *QuietHours) Contains(t time.Time) bool {
	if q == nil || q.Start == q.End {
		return false
	}
	loc := q.Location
	if loc == nil {
		loc = time.UTC
	}
	t = t.In(loc)
	m := t.Hour()*60 + t.Minute()
	if q.Start < q.End {
		return m >= q.Start && m < q.End
	}
	return m >= q.Start || m < q.End
}

// Grouper turns events for one channel into messages: events of the same
// kind and scope within Window become one message with their count, sent
// when the window closes. A group that closes during quiet hours is held
// and, once they are over, sent with every other held group as one digest;
// critical groups bypass quiet hours. Whether a group is held follows from
// its own times, so a Grouper rebuilt from the stored queue on every poll
// (as the Dispatcher does) decides as one that lived all along. It is
// driven by the caller's clock and is not safe for concurrent use.
type Grouper struct {
	Window    time.Duration
	Quiet     *QuietHours
	PublicURL string
	open      map[string]*group
}

type group struct {
	key      string
	first    time.Time
	events   []Event
	severity string
}

// Add takes an event; its message leaves with a later Flush.
func (g *Grouper) Add(e Event) {
	if g.open == nil {
		g.open = map[string]*group{}
	}
	k := groupKey(e)
	gr := g.open[k]
	if gr == nil {
		gr = &group{key: k, first: e.Time, severity: e.Severity}
		g.open[k] = gr
	}
	if e.Time.Before(gr.first) {
		gr.first = e.Time
	}
	gr.events = append(gr.events, e)
	if SeverityRank(e.Severity) > SeverityRank(gr.severity) {
		gr.severity = e.Severity
	}
}

// groupKey is the kind, scope and whether it resolves: what one message covers.
func groupKey(e Event) string {
	return fmt.Sprintf("%s|%s|%s|%s|%t", e.Kind, e.Scope.OrganizationID, e.Scope.ProjectID, e.Scope.EnvironmentID, e.Resolve)
}

// Flush returns the messages due at now: each group whose window closed,
// except non-critical ones during quiet hours (kept); after quiet hours,
// the groups that closed during them go out as one digest.
func (g *Grouper) Flush(now time.Time) []Message {
	var out []Message
	var digest []*group
	quiet := g.Quiet.Contains(now)
	keys := make([]string, 0, len(g.open))
	for k := range g.open {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		gr := g.open[k]
		closeAt := gr.first.Add(g.Window)
		switch {
		case now.Before(closeAt):
			continue
		case gr.severity == SeverityCritical:
			out = append(out, g.message(gr))
		case quiet:
			continue // held
		case g.Quiet.Contains(closeAt):
			digest = append(digest, gr)
		default:
			out = append(out, g.message(gr))
		}
		delete(g.open, k)
	}
	if len(digest) > 0 {
		out = append(out, g.digest(digest, now))
	}
	return out
}

// Pending reports how many events wait in open or held groups.
func (g *Grouper) Pending() int {
	n := 0
	for _, gr := range g.open {
		n += len(gr.events)
	}
	return n
}

func (g *Grouper) message(gr *group) Message {
	first, last := gr.events[0], gr.events[len(gr.events)-1]
	n := len(gr.events)
	text := last.Detail
	if n > 1 {
		text = fmt.Sprintf("%d events between %s and %s. Latest: %s", n, first.Time.UTC().Format(time.RFC3339),
			last.Time.UTC().Format(time.RFC3339), last.Detail)
		if subjects := distinctSubjects(gr.events, 5); len(subjects) > 1 {
			text += "\nAbout: " + strings.Join(subjects, ", ")
		}
	}
	return Message{Kind: first.Kind, Severity: gr.severity, Scope: first.Scope, Title: titleOf(first.Kind, n, first.Subject),
		Text: text, URL: link(g.PublicURL, first.Path), Count: n, DedupKey: dedupKey(first), Resolve: first.Resolve, Time: last.Time,
		EventIDs: eventIDs(gr.events)}
}

// digest is one message for every group held through quiet hours.
func (g *Grouper) digest(held []*group, now time.Time) Message {
	total, sev := 0, SeverityInfo
	var lines []string
	var ids []string
	for _, gr := range held {
		ids = append(ids, eventIDs(gr.events)...)
		total += len(gr.events)
		if SeverityRank(gr.severity) > SeverityRank(sev) {
			sev = gr.severity
		}
		m := g.message(gr)
		line := "• " + m.Title
		if m.URL != "" {
			line += " — " + m.URL
		}
		lines = append(lines, line)
	}
	first := held[0].events[0]
	return Message{Kind: "digest", Severity: sev, Scope: Scope{OrganizationID: first.Scope.OrganizationID},
		Title: fmt.Sprintf("Digest: %d notifications held during quiet hours", total), Text: strings.Join(lines, "\n"),
		URL: link(g.PublicURL, "/"), Count: total, DedupKey: "digest:" + first.Scope.OrganizationID + ":" + now.UTC().Format(time.RFC3339), Time: now, EventIDs: ids}
}

func dedupKey(e Event) string {
	return strings.Join([]string{e.Kind, e.Scope.OrganizationID, e.Scope.ProjectID, e.Scope.EnvironmentID}, ":")
}

func distinctSubjects(evs []Event, max int) []string {
	var out []string
	for _, e := range evs {
		if e.Subject != "" && !slices.Contains(out, e.Subject) {
			out = append(out, e.Subject)
			if len(out) == max {
				break
			}
		}
	}
	return out
}

func eventIDs(evs []Event) []string {
	var ids []string
	for _, e := range evs {
		if e.ID != "" {
			ids = append(ids, e.ID)
		}
	}
	return ids
}

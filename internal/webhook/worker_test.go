package webhook_test

import (
	"context"
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/identitystore"
	"github.com/usecapsule/capsule/internal/webhook"
)

func emit(t *testing.T, p *plane, typ string, data any) {
	t.Helper()
	must(t, webhook.Emit(context.Background(), p.st.Database(), p.org, typ, data))
}

// TestRetriedThenDelivered: the receiver fails twice and then accepts; the
// message arrives three times with one webhook-id, each signed so the
// reference library verifies it, and the delivery records three attempts.
func TestRetriedThenDelivered(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		p := openPlane(t, dsn, "")
		r := newReceiver(t, 500, 503)
		sub := p.subscribe(t, r, "deployment.*")
		p.startWorker(t, nil)
		emit(t, p, "deployment.failed", map[string]any{"deploymentId": "d-1"})
		d := p.waitDelivery(t, sub.ID, func(d webhook.Delivery) bool { return d.Status != webhook.StatusPending })
		if d.Status != webhook.StatusDelivered || d.Attempts != 3 || d.StatusCode != 200 || d.Error != "" {
			t.Fatalf("delivery %+v, want delivered after 3 attempts", d)
		}
		got := r.requests()
		if len(got) != 3 {
			t.Fatalf("receiver got %d requests, want 3", len(got))
		}
		for i, g := range got {
			if g.verr != nil {
				t.Errorf("request %d: the reference verifier refused it: %v", i, g.verr)
			}
			if g.id != d.MessageID || !strings.HasPrefix(g.id, "msg_") {
				t.Errorf("request %d: webhook-id %q, want the delivery's %q on every attempt", i, g.id, d.MessageID)
			}
			if ct := g.header.Get("Content-Type"); ct != "application/json" {
				t.Errorf("request %d: content type %q", i, ct)
			}
		}
		var msg struct {
			Type      string         `json:"type"`
			Timestamp string         `json:"timestamp"`
			Data      map[string]any `json:"data"`
		}
		must(t, json.Unmarshal(got[2].body, &msg))
		if msg.Type != "deployment.failed" || msg.Data["deploymentId"] != "d-1" || msg.Timestamp == "" {
			t.Errorf("body %s", got[2].body)
		}
	})
}

// TestRestartBetweenAttempts: the first control plane's attempt fails and
// it stops; a new one on the same database delivers the queued message.
func TestRestartBetweenAttempts(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		p := openPlane(t, dsn, "")
		// Retries far enough apart that the first plane is stopped before
		// its second attempt however loaded the machine is.
		p.schedule = []time.Duration{time.Second, time.Second, time.Second}
		r := newReceiver(t, 500)
		sub := p.subscribe(t, r, "*")
		p.startWorker(t, nil)
		emit(t, p, "cost.anomaly", map[string]any{"amount": "12.00"})
		p.waitDelivery(t, sub.ID, func(d webhook.Delivery) bool { return d.Attempts >= 1 })
		p.stop()
		must(t, p.st.Close())

		q := openPlane(t, dsn, p.org)
		q.startWorker(t, nil)
		d := q.waitDelivery(t, sub.ID, func(d webhook.Delivery) bool { return d.Status == webhook.StatusDelivered })
		// The first plane may have been stopped in the middle of its second
		// attempt, which then does not count: at least two attempts.
		got := r.requests()
		if d.Attempts < 2 || len(got) < 2 {
			t.Fatalf("attempts %d, requests %d, want at least 2", d.Attempts, len(got))
		}
		for i, g := range got {
			if g.id != got[0].id || g.verr != nil {
				t.Errorf("request %d: id %q (first %q), verification %v", i, g.id, got[0].id, g.verr)
			}
		}
	})
}

// TestGoneDisables: a 410 fails the delivery at once, disables the
// subscription with an audit entry, and later events are not queued for it.
func TestGoneDisables(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		p := openPlane(t, dsn, "")
		r := newReceiver(t, http.StatusGone)
		sub := p.subscribe(t, r, "deployment.*")
		p.startWorker(t, nil)
		emit(t, p, "deployment.completed", map[string]any{})
		d := p.waitDelivery(t, sub.ID, func(d webhook.Delivery) bool { return d.Status != webhook.StatusPending })
		if d.Status != webhook.StatusFailed || d.Attempts != 1 || d.StatusCode != http.StatusGone {
			t.Fatalf("delivery %+v, want failed after one 410", d)
		}
		if d.ResponseExcerpt != "answer with control" {
			t.Errorf("excerpt %q, want the answer without control characters", d.ResponseExcerpt)
		}
		s, err := p.svc.Store.Find(context.Background(), sub.ID)
		must(t, err)
		if s.Enabled || s.DisabledReason == "" {
			t.Fatalf("subscription %+v, want disabled with a reason", s)
		}
		entries, err := p.ids.ListAudit(context.Background(), identitystore.AuditFilter{OrganizationID: p.org})
		must(t, err)
		found := false
		for _, e := range entries {
			found = found || (e.Action == "webhook.disable" && e.TargetID == sub.ID && e.ActorType == audit.ActorSystem)
		}
		if !found {
			t.Errorf("no webhook.disable audit entry among %d", len(entries))
		}
		emit(t, p, "deployment.completed", map[string]any{})
		l, err := p.svc.Store.Deliveries(context.Background(), sub.ID, pageAll)
		must(t, err)
		if len(l.Items) != 1 {
			t.Errorf("%d deliveries, want none queued for a disabled subscription", len(l.Items))
		}
	})
}

// TestRedeliverAndTestSend: a test send arrives as webhook.test; its
// redelivery arrives again with the same webhook-id.
func TestRedeliverAndTestSend(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		p := openPlane(t, dsn, "")
		r := newReceiver(t)
		sub := p.subscribe(t, r, "promotion.merged")
		p.startWorker(t, nil)
		d, err := p.svc.Test(context.Background(), &sub.Subscription)
		must(t, err)
		if d.EventType != webhook.TestEvent || d.Status != webhook.StatusPending {
			t.Fatalf("test delivery %+v", d)
		}
		p.waitDelivery(t, sub.ID, func(d webhook.Delivery) bool { return d.Status == webhook.StatusDelivered })
		if _, err := p.svc.Redeliver(context.Background(), &sub.Subscription, d.ID); err != nil {
			t.Fatal(err)
		}
		p.waitDelivery(t, sub.ID, func(d webhook.Delivery) bool { return d.Status == webhook.StatusDelivered && d.Attempts == 2 })
		got := r.requests()
		if len(got) != 2 || got[0].id != got[1].id || got[0].verr != nil || got[1].verr != nil {
			t.Fatalf("receiver got %d requests; want 2 verified with one id", len(got))
		}
		if !strings.Contains(string(got[0].body), `"type":"webhook.test"`) {
			t.Errorf("body %s", got[0].body)
		}
	})
}

// TestLoopbackRefusedByEgress: without the allow list the guarded client
// refuses the receiver on 127.0.0.1; the delivery names the refusal and
// nothing arrives. The service also refuses such a URL up front.
func TestLoopbackRefusedByEgress(t *testing.T) {
	p := openPlane(t, dsn0(t), "")
	r := newReceiver(t)
	sub := p.subscribe(t, r, "*")
	p.startWorker(t, egress.New(egress.Options{}))
	emit(t, p, "agent.offline", map[string]any{})
	d := p.waitDelivery(t, sub.ID, func(d webhook.Delivery) bool { return d.Attempts >= 1 })
	if !strings.Contains(d.Error, "refusing") || d.Status == webhook.StatusDelivered {
		t.Errorf("delivery %+v, want the egress refusal", d)
	}
	if n := len(r.requests()); n != 0 {
		t.Errorf("receiver got %d requests", n)
	}
	strict := *p.svc
	strict.Allow = nil
	_, err := strict.Create(context.Background(), p.org, "u", webhook.Input{URL: r.srv.URL, Events: []string{"*"}})
	if err == nil || !strings.Contains(err.Error(), "url") {
		t.Errorf("creating a loopback webhook without the allow list: %v", err)
	}
}

// TestAuditEntriesQueueMessages: an audit entry of the organization queues
// audit.<action>, and agent.offline is also its own event, in the entry's
// transaction.
func TestAuditEntriesQueueMessages(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		p := openPlane(t, dsn, "")
		offline := p.subscribe(t, newReceiver(t), "agent.offline")
		all := p.subscribe(t, newReceiver(t), "audit.*")
		must(t, p.ids.AppendAudit(context.Background(), &audit.Entry{ActorType: audit.ActorSystem, Action: "agent.offline",
			TargetType: "agent", TargetID: "a-1", OrganizationID: p.org, Outcome: audit.OutcomeSuccess}))
		for sub, want := range map[string]string{offline.ID: "agent.offline", all.ID: "audit.agent.offline"} {
			l, err := p.svc.Store.Deliveries(context.Background(), sub, pageAll)
			must(t, err)
			if len(l.Items) != 1 || l.Items[0].EventType != want {
				t.Errorf("subscription %s: deliveries %+v, want one %s", sub, l.Items, want)
			}
		}
	})
}

// TestTwoReplicasSendEachOnce: two workers (on PostgreSQL each with its
// own connection pool, as two replicas) share the queue; every message
// reaches the receiver exactly once.
func TestTwoReplicasSendEachOnce(t *testing.T) {
	forEachDialect(t, func(t *testing.T, dsn string) {
		a := openPlane(t, dsn, "")
		b := openPlane(t, dsn, a.org)
		r := newReceiver(t)
		sub := a.subscribe(t, r, "cost.*")
		const n = 30
		for i := range n {
			emit(t, a, "cost.anomaly", map[string]any{"n": i})
		}
		a.startWorker(t, nil)
		b.startWorker(t, nil)
		deadline := time.Now().Add(20 * time.Second)
		for {
			l, err := a.svc.Store.Deliveries(context.Background(), sub.ID, pageAll)
			must(t, err)
			done := 0
			for _, d := range l.Items {
				if d.Status == webhook.StatusDelivered {
					done++
				}
			}
			if done == n {
				break
			}
			if time.Now().After(deadline) {
				t.Fatalf("%d of %d delivered", done, n)
			}
			time.Sleep(20 * time.Millisecond)
		}
		seen := map[string]int{}
		for _, g := range r.requests() {
			seen[g.id]++
			if g.verr != nil {
				t.Errorf("verification: %v", g.verr)
			}
		}
		if len(seen) != n {
			t.Errorf("%d distinct messages, want %d", len(seen), n)
		}
		for id, c := range seen {
			if c != 1 {
				t.Errorf("message %s arrived %d times", id, c)
			}
		}
	})
}

package webhook_test

import (
	"context"
	"testing"

	"github.com/usecapsule/capsule/internal/audit"
)

// TestDriftEntriesQueueDriftEvent: the drift monitor's audited state
// changes (drifted, back in sync) are each also an environment.drift
// message, in the entry's transaction.
func TestDriftEntriesQueueDriftEvent(t *testing.T) {
	p := openPlane(t, dialects[0].dsn(t), "")
	sub := p.subscribe(t, newReceiver(t), "environment.*")
	for _, action := range []string{"environment.drifted", "environment.in_sync"} {
		must(t, p.ids.AppendAudit(context.Background(), &audit.Entry{ActorType: audit.ActorSystem, Action: action,
			TargetType: "environment", TargetID: "e-1", OrganizationID: p.org, Outcome: audit.OutcomeSuccess}))
	}
	l, err := p.svc.Store.Deliveries(context.Background(), sub.ID, pageAll)
	must(t, err)
	if len(l.Items) != 2 || l.Items[0].EventType != "environment.drift" || l.Items[1].EventType != "environment.drift" {
		t.Fatalf("deliveries %+v, want two environment.drift", l.Items)
	}
}

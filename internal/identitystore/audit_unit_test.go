package identitystore_test

import (
	"context"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/identitystore"
)

// TestAuditUnit: under an audit unit, a write that fails leaves no entry;
// the first write that commits carries the entry naming the created
// entity; a later write of the same unit adds none; the chain verifies.
func TestAuditUnit(t *testing.T) { forEachDB(t, testAuditUnit) }

func testAuditUnit(t *testing.T, f *fixture) {
	ctx, u := f.ids.WithAuditUnit(context.Background(), audit.Entry{ActorType: audit.ActorUser, ActorID: f.user,
		Action: "projects.create", TargetType: "project", OrganizationID: f.orgID, Outcome: audit.OutcomeFailure})
	dup := &capsule.Project{OrganizationID: f.orgID, Name: "A", Slug: "a"}
	if err := f.st.CreateProject(context.Background(), dup); err != nil {
		t.Fatal(err)
	}
	again := &capsule.Project{OrganizationID: f.orgID, Name: "A", Slug: "a"}
	if err := f.st.CreateProject(ctx, again); capsule.ErrorKind(err) != capsule.KindConflict {
		t.Fatalf("duplicate slug: %v", err)
	}
	if _, ok := u.Committed(); ok {
		t.Fatal("a failed write committed an entry")
	}
	p := &capsule.Project{OrganizationID: f.orgID, Name: "B", Slug: "b"}
	if err := f.st.CreateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	e, ok := u.Committed()
	if !ok || e.TargetID != p.ID || e.Outcome != audit.OutcomeSuccess || e.Seq != 1 {
		t.Fatalf("entry of the create: %+v %v", e, ok)
	}
	p.Name = "B2"
	if err := f.st.UpdateProject(ctx, p); err != nil {
		t.Fatal(err)
	}
	es, err := f.ids.ListAudit(context.Background(), identitystore.AuditFilter{})
	if err != nil || len(es) != 1 || es[0].Hash != e.Hash {
		t.Fatalf("stored entries: %+v, %v", es, err)
	}
	if r, err := f.ids.VerifyAudit(context.Background()); err != nil || r.Finding != nil || r.Checked != 1 {
		t.Fatalf("verify: %+v, %v", r, err)
	}
}

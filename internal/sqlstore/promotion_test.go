package sqlstore_test

import (
	"context"
	"encoding/json"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// TestPromotions: a promotion and its artifact round-trip through the part
// tables; a newer preview of the same service and target supersedes the
// open one; decisions are recorded with the status change, a stale version
// is refused, and lists filter by environment and status.
func TestPromotions(t *testing.T) {
	forEachDialect(t, []storeCase{{name: "promotions", run: func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		prod := &capsule.Environment{ProjectID: f.project.ID, Name: "production", Kind: capsule.EnvProduction,
			Git: &capsule.EnvironmentGit{URL: "https://git.example.com/acme/deploy", Path: "prod"}}
		must(t, s.CreateEnvironment(ctx, prod))
		got, err := s.FindEnvironment(ctx, prod.ID)
		must(t, err)
		if got.Git == nil || got.Git.URL != prod.Git.URL || got.Git.Branch != "main" || got.Git.Provider != "plain" {
			t.Fatalf("environment git: %+v", got.Git)
		}
		if staging, _ := s.FindEnvironment(ctx, f.env.ID); staging.Git != nil {
			t.Fatalf("an environment without git reads back %+v", staging.Git)
		}
		art := &capsule.PromotionArtifact{Diff: json.RawMessage(`{"added":1}`), EstimatedCost: json.RawMessage(`{"delta":"1.00"}`),
			RiskLevel: "low", Risks: json.RawMessage(`[]`), NotAssessed: json.RawMessage(`[]`), Explanation: "adds one object"}
		newPromo := func() *capsule.Promotion {
			p := &capsule.Promotion{OrganizationID: f.org.ID, ProjectID: f.project.ID, ServiceID: f.service.ID,
				SourceEnvID: f.env.ID, TargetEnvID: prod.ID, SourceRevision: 1, RiskLevel: "low", CostDeltaMicros: 1_000_000,
				Summary: capsule.PromotionSummary{Added: 1}, TargetFingerprint: "t1", SourceFingerprint: "s1", RequestedBy: "alice"}
			must(t, s.CreatePromotion(ctx, p, art))
			return p
		}
		p1 := newPromo()
		if p1.Status != capsule.PromotionPending || p1.Version != 1 {
			t.Fatalf("created: %+v", p1)
		}
		a, err := s.FindPromotionArtifact(ctx, p1.ID)
		must(t, err)
		if string(a.Diff) != `{"added":1}` || a.Explanation != "adds one object" || a.RiskLevel != "low" || a.ExplanationSource != nil {
			t.Fatalf("artifact: %+v", a)
		}
		p2 := newPromo()
		if old, _ := s.FindPromotion(ctx, p1.ID); old.Status != capsule.PromotionSuperseded {
			t.Fatalf("older open promotion is %s, want superseded", old.Status)
		}
		d := &capsule.PromotionDecision{By: "bob", Comment: "ok"}
		up, err := s.UpdatePromotion(ctx, p2.ID, p2.Version, capsule.PromotionUpdate{Status: capsule.PromotionApproved, Decision: d,
			Delivery: capsule.PromotionDelivery{Mode: capsule.DeliveryDirect, DeploymentID: "dep"}})
		must(t, err)
		if up.Status != capsule.PromotionApproved || len(up.Approvals) != 1 || up.Approvals[0].By != "bob" ||
			up.Delivery.DeploymentID != "dep" || up.Version != 2 {
			t.Fatalf("after approval: %+v", up)
		}
		if _, err := s.UpdatePromotion(ctx, p2.ID, 1, capsule.PromotionUpdate{Status: capsule.PromotionRejected}); capsule.ErrorCode(err) != capsule.CodeVersionConflict {
			t.Fatalf("stale version: %v", err)
		}
		rj, err := s.UpdatePromotion(ctx, p2.ID, 2, capsule.PromotionUpdate{Status: capsule.PromotionRejected,
			Decision: &capsule.PromotionDecision{By: "carol", Comment: "no"}, Reject: true})
		must(t, err)
		if len(rj.Rejections) != 1 || len(rj.Approvals) != 1 || rj.Rejections[0].Comment != "no" {
			t.Fatalf("after rejection: %+v", rj)
		}
		l, err := s.ListPromotions(ctx, capsule.PromotionFilter{EnvironmentID: f.env.ID, Status: capsule.PromotionSuperseded})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != p1.ID {
			t.Fatalf("list superseded: %+v", l.Items)
		}
		l, err = s.ListPromotions(ctx, capsule.PromotionFilter{ProjectID: f.project.ID, Page: capsule.Page{Limit: 1}})
		must(t, err)
		if len(l.Items) != 1 || l.Items[0].ID != p2.ID || l.NextCursor == "" {
			t.Fatalf("first page: %+v", l)
		}
		if _, err := s.FindPromotion(ctx, "nope"); capsule.ErrorCode(err) != "PROMOTION_NOT_FOUND" {
			t.Fatalf("unknown id: %v", err)
		}
		bad := &capsule.Promotion{ProjectID: f.project.ID, ServiceID: f.service.ID, SourceEnvID: prod.ID, TargetEnvID: prod.ID}
		if err := s.CreatePromotion(ctx, bad, art); capsule.ErrorCode(err) != capsule.CodeValidation {
			t.Fatalf("same source and target: %v", err)
		}
	}}})
}

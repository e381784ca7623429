package promotion_test

import (
	"context"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/promotion"
)

func (w *world) policy(t *testing.T, pol capsule.ApprovalPolicy) {
	t.Helper()
	ctx := context.Background()
	e, err := w.st.FindEnvironment(ctx, w.prod.ID)
	must(t, err)
	e.ApprovalPolicy = pol
	must(t, w.st.UpdateEnvironment(ctx, e))
}

func code(err error) string { return capsule.ErrorCode(err) }

// TestApprovalPolicy: the requester cannot approve their own promotion,
// approver roles are enforced, two approvals are needed when the policy
// says so, one user counts once, and a rejection closes the promotion.
func TestApprovalPolicy(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.released(t, w.staging, "ghcr.io/acme/api:1")
	w.policy(t, capsule.ApprovalPolicy{RequiredApprovals: 2, ApproverRoles: []string{"owner", "release-manager"}})
	p := w.preview(t, "alice").Promotion
	admin := promotion.Approver{UserID: "bob", Roles: []string{"admin"}}
	if _, err := w.promo.Approve(ctx, p.ID, promotion.Approver{UserID: "alice", Roles: []string{"owner"}}, promotion.Decision{}); code(err) != capsule.CodeSelfApproval {
		t.Fatalf("self approval: %v", err)
	}
	if _, err := w.promo.Approve(ctx, p.ID, admin, promotion.Decision{}); code(err) != capsule.CodeApproverRole {
		t.Fatalf("approver without a listed role: %v", err)
	}
	one, err := w.promo.Approve(ctx, p.ID, promotion.Approver{UserID: "bob", Roles: []string{"owner"}}, promotion.Decision{Comment: "looks fine"})
	must(t, err)
	if one.Status != capsule.PromotionPending || len(one.Approvals) != 1 {
		t.Fatalf("after one of two approvals: %+v", one)
	}
	if _, err := w.promo.Approve(ctx, p.ID, promotion.Approver{UserID: "bob", Roles: []string{"owner"}}, promotion.Decision{}); code(err) != capsule.CodeAlreadyDecided {
		t.Fatalf("second approval by the same user: %v", err)
	}
	two, err := w.promo.Approve(ctx, p.ID, promotion.Approver{UserID: "carol", Roles: []string{"release-manager"}}, promotion.Decision{})
	must(t, err)
	// No deployer in this process: approved, with the reason it was not deployed.
	if two.Status != capsule.PromotionApproved || len(two.Approvals) != 2 || two.Note == "" {
		t.Fatalf("after two approvals: %+v", two)
	}
	if _, err := w.promo.Reject(ctx, p.ID, admin, promotion.Decision{}); code(err) != capsule.CodePromotionClosed {
		t.Fatalf("rejecting an approved promotion: %v", err)
	}
	w.policy(t, capsule.ApprovalPolicy{AllowSelfApproval: true})
	p2 := w.preview(t, "alice").Promotion
	rj, err := w.promo.Reject(ctx, p2.ID, admin, promotion.Decision{Comment: "not today"})
	must(t, err)
	if rj.Status != capsule.PromotionRejected || len(rj.Rejections) != 1 {
		t.Fatalf("rejected: %+v", rj)
	}
	p3 := w.preview(t, "alice").Promotion
	self, err := w.promo.Approve(ctx, p3.ID, promotion.Approver{UserID: "alice"}, promotion.Decision{})
	must(t, err)
	if self.Status != capsule.PromotionApproved {
		t.Fatalf("self approval allowed by policy: %+v", self)
	}
}

// TestApprovalStale: a deploy to the target after the preview makes the
// preview stale, and so does a new release in the source.
func TestApprovalStale(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.released(t, w.staging, "ghcr.io/acme/api:2")
	w.released(t, w.prod, "ghcr.io/acme/api:1")
	p := w.preview(t, "alice").Promotion
	w.released(t, w.prod, "ghcr.io/acme/api:3")
	_, err := w.promo.Approve(ctx, p.ID, promotion.Approver{UserID: "bob"}, promotion.Decision{})
	if code(err) != capsule.CodePromotionStale {
		t.Fatalf("target changed: %v", err)
	}
	p = w.preview(t, "alice").Promotion
	w.released(t, w.staging, "ghcr.io/acme/api:4")
	if _, err := w.promo.Approve(ctx, p.ID, promotion.Approver{UserID: "bob"}, promotion.Decision{}); code(err) != capsule.CodePromotionStale {
		t.Fatalf("source changed: %v", err)
	}
}

// TestGates: a risk gate and a cost gate block the promotion; approving
// needs an override reason, which unblocks it.
func TestGates(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.released(t, w.staging, "ghcr.io/acme/api:1")
	w.policy(t, capsule.ApprovalPolicy{MaxRiskLevel: "low", MaxMonthlyCostDelta: "0.50"})
	p := w.preview(t, "alice").Promotion
	if p.Status != capsule.PromotionBlocked || len(p.Gates) != 2 {
		t.Fatalf("gated preview: status %s gates %v (risk %s, cost %d)", p.Status, p.Gates, p.RiskLevel, p.CostDeltaMicros)
	}
	if _, err := w.promo.Approve(ctx, p.ID, promotion.Approver{UserID: "bob"}, promotion.Decision{}); code(err) != capsule.CodeOverrideRequired {
		t.Fatalf("approval without override: %v", err)
	}
	ok, err := w.promo.Approve(ctx, p.ID, promotion.Approver{UserID: "bob"}, promotion.Decision{OverrideReason: "launch day"})
	must(t, err)
	if ok.Status != capsule.PromotionApproved || ok.Approvals[0].OverrideReason != "launch day" {
		t.Fatalf("overridden: %+v", ok)
	}
	w.policy(t, capsule.ApprovalPolicy{MaxRiskLevel: "critical", MaxMonthlyCostDelta: "100000"})
	if p := w.preview(t, "alice").Promotion; p.Status != capsule.PromotionPending {
		t.Fatalf("within the gates: %+v", p)
	}
}

// TestGitOpsWithoutDeliverer: an approved gitops promotion stays approved
// and says that Git delivery is not configured.
func TestGitOpsWithoutDeliverer(t *testing.T) {
	ctx := context.Background()
	w := newWorld(t)
	w.released(t, w.staging, "ghcr.io/acme/api:1")
	e, err := w.st.FindEnvironment(ctx, w.prod.ID)
	must(t, err)
	e.DeliveryMode = capsule.DeliveryGitOps
	e.Git = &capsule.EnvironmentGit{URL: "https://git.example.com/acme/deploy", Path: "prod"}
	must(t, w.st.UpdateEnvironment(ctx, e))
	p := w.preview(t, "alice").Promotion
	got, err := w.promo.Approve(ctx, p.ID, promotion.Approver{UserID: "bob"}, promotion.Decision{})
	must(t, err)
	if got.Status != capsule.PromotionApproved || got.Note != promotion.NoteGitNotConfigured || got.Delivery.Mode != capsule.DeliveryGitOps {
		t.Fatalf("gitops without deliverer: %+v", got)
	}
}

package promotion

import (
	"context"
	"fmt"
	"slices"
	"strings"

	capsule "github.com/usecapsule/capsule"
)

// Approver is who decides: the user and the roles they hold on the target
// environment (their organization role and the bindings covering it).
type Approver struct {
	UserID string
	Roles  []string
}

// Decision is the body of an approval or rejection.
type Decision struct {
	Comment        string
	OverrideReason string
}

func (d Decision) validate() error {
	var v capsule.Validation
	if len(d.Comment) > 2000 {
		v.Add("comment", "is %d characters long; at most 2000", len(d.Comment))
	}
	if len(d.OverrideReason) > 2000 {
		v.Add("override_reason", "is %d characters long; at most 2000", len(d.OverrideReason))
	}
	if strings.TrimSpace(d.OverrideReason) == "" && d.OverrideReason != "" {
		v.Add("override_reason", "is blank")
	}
	return v.Err()
}

// Approve records a's approval of promotion id under the target's policy
// and delivers the promotion once the approvals reach the requirement.
func (s *Service) Approve(ctx context.Context, id string, a Approver, d Decision) (*capsule.Promotion, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	p, target, err := s.open(ctx, id)
	if err != nil {
		return nil, err
	}
	pol := target.ApprovalPolicy
	switch {
	case p.RequestedBy == a.UserID && !pol.AllowSelfApproval:
		return nil, capsule.Errorf(capsule.KindForbidden, capsule.CodeSelfApproval,
			"you requested promotion %s; environment %s's policy needs someone else to approve it", p.ID, target.Name)
	case len(pol.ApproverRoles) > 0 && !slices.ContainsFunc(a.Roles, func(r string) bool { return slices.Contains(pol.ApproverRoles, r) }):
		return nil, &capsule.Error{Kind: capsule.KindForbidden, Code: capsule.CodeApproverRole,
			Message: fmt.Sprintf("environment %s accepts approvals from the roles %s; you hold %s there", target.Name,
				strings.Join(pol.ApproverRoles, ", "), orNone(a.Roles)),
			Details: map[string]any{"approverRoles": pol.ApproverRoles}}
	case slices.ContainsFunc(p.Approvals, func(x capsule.PromotionDecision) bool { return x.By == a.UserID }):
		return nil, capsule.Errorf(capsule.KindConflict, capsule.CodeAlreadyDecided, "you already approved promotion %s", p.ID)
	case p.Status == capsule.PromotionBlocked && d.OverrideReason == "":
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeOverrideRequired,
			Message: fmt.Sprintf("promotion %s is blocked by environment %s's policy (%s): approve it with an override reason",
				p.ID, target.Name, joinGates(p.Gates)), Details: map[string]any{"gates": p.Gates}}
	}
	pl, err := s.plan(ctx, p.ServiceID, p.SourceEnvID, p.TargetEnvID)
	if err != nil {
		return nil, err
	}
	if stale := staleness(p, pl); stale != "" {
		return nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodePromotionStale,
			Message: fmt.Sprintf("promotion %s is stale: %s since it was previewed; preview it again", p.ID, stale),
			Details: map[string]any{"promotionId": p.ID}}
	}
	dec := &capsule.PromotionDecision{By: a.UserID, Comment: d.Comment, OverrideReason: d.OverrideReason}
	u := capsule.PromotionUpdate{Status: capsule.PromotionPending, Decision: dec, Delivery: p.Delivery, Conflicts: p.Conflicts}
	if len(p.Approvals)+1 < max(pol.RequiredApprovals, 1) {
		u.Note = fmt.Sprintf("%d of %d approvals", len(p.Approvals)+1, pol.RequiredApprovals)
		return s.cfg.Store.UpdatePromotion(ctx, p.ID, p.Version, u)
	}
	// Record the deciding approval first: if delivery cannot start, the
	// approval stays and the promotion says why it failed.
	u.Status, u.Note = capsule.PromotionApproved, "approved"
	if p, err = s.cfg.Store.UpdatePromotion(ctx, p.ID, p.Version, u); err != nil {
		return nil, err
	}
	du := s.deliver(ctx, p, pl)
	if du.Conflicts == nil {
		du.Conflicts = []string{}
	}
	return s.cfg.Store.UpdatePromotion(ctx, p.ID, p.Version, du)
}

// Reject records a's rejection, which closes the promotion.
func (s *Service) Reject(ctx context.Context, id string, a Approver, d Decision) (*capsule.Promotion, error) {
	if err := d.validate(); err != nil {
		return nil, err
	}
	p, _, err := s.open(ctx, id)
	if err != nil {
		return nil, err
	}
	return s.cfg.Store.UpdatePromotion(ctx, p.ID, p.Version, capsule.PromotionUpdate{Status: capsule.PromotionRejected,
		Note: "rejected by " + a.UserID, Delivery: p.Delivery, Conflicts: p.Conflicts, Reject: true,
		Decision: &capsule.PromotionDecision{By: a.UserID, Comment: d.Comment, OverrideReason: d.OverrideReason}})
}

// open loads a promotion that still waits for a decision, and its target.
func (s *Service) open(ctx context.Context, id string) (*capsule.Promotion, *capsule.Environment, error) {
	p, err := s.cfg.Store.FindPromotion(ctx, id)
	if err != nil {
		return nil, nil, err
	}
	if !capsule.PromotionOpen(p.Status) {
		return nil, nil, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodePromotionClosed,
			Message: fmt.Sprintf("promotion %s is %s: only pending or blocked promotions can be approved or rejected", p.ID, p.Status),
			Details: map[string]any{"status": p.Status}}
	}
	t, err := s.cfg.Store.FindEnvironment(ctx, p.TargetEnvID)
	return p, t, err
}

// staleness says what changed since the preview, or "".
func staleness(p *capsule.Promotion, pl *plan) string {
	var what []string
	if pl.targetFP != p.TargetFingerprint {
		what = append(what, "the target environment's state changed")
	}
	if pl.srcFP != p.SourceFingerprint {
		what = append(what, "the source revision changed")
	}
	return strings.Join(what, " and ")
}

func orNone(s []string) string {
	if len(s) == 0 {
		return "none"
	}
	return strings.Join(s, ", ")
}

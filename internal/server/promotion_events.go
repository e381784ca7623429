package server

import (
	"context"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
	"github.com/usecapsule/capsule/internal/notify"
	"github.com/usecapsule/capsule/internal/webhook"
)

// promotionEvent names the webhook event of a promotion's transition from
// one status to another; "" for transitions subscribers are not told
// about (a partial approval, superseding, a delivery under way).
func promotionEvent(from, to string) string {
	switch {
	case from == "":
		return "promotion.previewed"
	case from == to:
		return ""
	case to == capsule.PromotionApproved:
		return "promotion.approved"
	case to == capsule.PromotionRejected:
		return "promotion.rejected"
	case to == capsule.PromotionDelivered:
		return "promotion.delivered"
	case to == capsule.PromotionFailed:
		return "promotion.failed"
	}
	return ""
}

// promotionEvents queues a promotion's webhook event and its notification
// (approval requested for a new promotion waiting for approval; promotion
// merged once delivered) in the transaction of the change, registered with
// sqlstore's OnPromotionChange. The key (promotion and version) names the
// change, so a retried transaction queues nothing twice.
func promotionEvents(ctx context.Context, tx *database.Tx, p *capsule.Promotion, from string) error {
	typ := promotionEvent(from, p.Status)
	if typ == "" {
		return nil
	}
	approvers := make([]string, 0, len(p.Approvals))
	for _, a := range p.Approvals {
		approvers = append(approvers, a.By)
	}
	data := map[string]any{"promotionId": p.ID, "organizationId": p.OrganizationID, "projectId": p.ProjectID,
		"serviceId": p.ServiceID, "sourceEnvironmentId": p.SourceEnvID, "targetEnvironmentId": p.TargetEnvID,
		"status": p.Status, "previousStatus": from, "image": p.Image, "riskLevel": p.RiskLevel,
		"summary": p.Summary, "delivery": p.Delivery, "approvedBy": approvers, "note": p.Note}
	key := "promotion:" + p.ID + ":" + p.Status
	if err := webhook.EmitKeyed(ctx, tx, p.OrganizationID, typ, key, data); err != nil {
		return err
	}
	ev := notify.Event{Scope: notify.Scope{OrganizationID: p.OrganizationID, ProjectID: p.ProjectID, EnvironmentID: p.TargetEnvID},
		Subject: "promotion of " + p.Image, Path: "/promotions/" + p.ID, Severity: notify.SeverityInfo}
	switch {
	case typ == "promotion.previewed" && (p.Status == capsule.PromotionPending || p.Status == capsule.PromotionBlocked):
		ev.Kind, ev.Detail = notify.EventApprovalRequested, "The promotion waits for approval (risk "+p.RiskLevel+")."
		if p.Status == capsule.PromotionBlocked {
			ev.Severity, ev.Detail = notify.SeverityWarning, "A policy gate blocks the promotion; approving it needs an override reason."
		}
	case typ == "promotion.delivered":
		ev.Kind, ev.Detail = notify.EventPromotionMerged, "The promotion was delivered."
		if g := p.Delivery.Git; g != nil && g.PRURL != "" {
			ev.Detail = "The promotion was delivered: " + g.PRURL
		}
	default:
		return nil
	}
	return notify.Notify(ctx, tx, ev, key)
}

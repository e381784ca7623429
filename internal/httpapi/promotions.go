package httpapi

import (
	"context"
	"encoding/json"
	"net/http"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/audit"
	"github.com/usecapsule/capsule/internal/promotion"
	"github.com/usecapsule/capsule/internal/rbac"
)

// Promotions between environments: POST /promotions/preview previews and
// records one (scoped to its target environment, promotion:create); reads
// need promotion:view; approve and reject need promotion:approve on the
// target environment, and the target's approval policy decides the rest
// (internal/promotion).

// PromotionPreviewResponse is a promotion with its whole stored preview.
type PromotionPreviewResponse struct {
	PromotionID       string                   `json:"promotion_id"`
	Status            string                   `json:"status"`
	Summary           capsule.PromotionSummary `json:"summary"`
	Diff              json.RawMessage          `json:"diff"`
	EstimatedCost     json.RawMessage          `json:"estimated_cost"`
	RiskLevel         string                   `json:"risk_level"`
	Risks             json.RawMessage          `json:"risks"`
	NotAssessed       json.RawMessage          `json:"not_assessed"`
	Explanation       string                   `json:"explanation"`
	ExplanationSource json.RawMessage          `json:"explanation_source,omitempty"`
	Promotion         *capsule.Promotion       `json:"promotion"`
}

// PromotionDecisionRequest is the body of approve and reject.
type PromotionDecisionRequest struct {
	Comment        string `json:"comment,omitempty"`
	OverrideReason string `json:"override_reason,omitempty"`
}

// newPromotions builds the workflow over the API's store; the current
// state and releases come from the deployer's runs.
func newPromotions(cfg Config, runs promotion.RunStore, gitToken func(context.Context, *capsule.Environment) (string, error)) *promotion.Service {
	if runs == nil {
		return nil
	}
	dr := promotion.DeployRuns{Store: runs}
	pc := promotion.Config{Store: cfg.Store, Current: dr, Releases: dr, Explainer: cfg.Explainer, GitToken: gitToken, Git: cfg.Git,
		Approver: func(ctx context.Context, id string) (string, error) {
			u, err := cfg.Store.FindUser(ctx, id)
			if err != nil {
				return "", err
			}
			if u.Name == "" {
				return u.Email, nil
			}
			return u.Name + " <" + u.Email + ">", nil
		}}
	if cfg.EnvState != nil {
		pc.Current = promotion.EnvState{Reader: cfg.EnvState}
	}
	if cfg.Deployer != nil {
		pc.Deployer = cfg.Deployer
	}
	return promotion.New(pc)
}

func (a *API) promotions() (*promotion.Service, error) {
	if a.promo == nil {
		return nil, capsule.NotImplemented("promotions on a store without deployment runs")
	}
	return a.promo, nil
}

func (a *API) previewPromotion(w http.ResponseWriter, r *http.Request) error {
	var q PromotionPreviewRequest
	if err := decodeJSON(r, &q); err != nil {
		return err
	}
	pr, err := a.promotions()
	if err != nil {
		return err
	}
	ctx := r.Context()
	refs, err := resolvePromotionRequest(ctx, a.cfg.Store, CallerFrom(ctx).OrgIDs(), q)
	if err != nil {
		return err
	}
	pv, err := pr.Preview(ctx, promotion.Request{ServiceID: refs.svc.ID, SourceEnvID: refs.source.ID,
		TargetEnvID: refs.target.ID, ClusterID: refs.clusterID, GitCommit: refs.gitCommit, RequestedBy: CallerFrom(ctx).UserID})
	if err != nil {
		return err
	}
	return a.writePromotionPreview(w, r, http.StatusCreated, pv.Promotion)
}

func (a *API) writePromotionPreview(w http.ResponseWriter, r *http.Request, status int, p *capsule.Promotion) error {
	art, err := a.cfg.Store.FindPromotionArtifact(r.Context(), p.ID)
	if err != nil {
		return err
	}
	writeJSON(w, status, PromotionPreviewResponse{PromotionID: p.ID, Status: p.Status, Summary: p.Summary,
		Diff: art.Diff, EstimatedCost: art.EstimatedCost, RiskLevel: art.RiskLevel, Risks: art.Risks, NotAssessed: art.NotAssessed,
		Explanation: art.Explanation, ExplanationSource: art.ExplanationSource, Promotion: p})
	return nil
}

func (a *API) listPromotions(w http.ResponseWriter, r *http.Request) error {
	q := r.URL.Query()
	p, err := pageParam(q)
	if err != nil {
		return err
	}
	status, err := enumParam(q, "status", capsule.PromotionStatuses)
	if err != nil {
		return err
	}
	l, err := a.cfg.Store.ListPromotions(r.Context(), capsule.PromotionFilter{ProjectID: q.Get("projectId"),
		ServiceID: q.Get("serviceId"), EnvironmentID: q.Get("environmentId"), Status: status,
		OrganizationIDs: CallerFrom(r.Context()).OrgIDs(), Page: p})
	if err != nil {
		return err
	}
	if a.promo != nil {
		// A delivering promotion follows its deployment here as on GET.
		for i := range l.Items {
			if np, err := a.promo.Refresh(r.Context(), &l.Items[i]); err == nil {
				l.Items[i] = *np
			}
		}
	}
	writeJSON(w, http.StatusOK, l)
	return nil
}

// loadPromotion reads the promotion of the path, following its delivery.
func (a *API) loadPromotion(r *http.Request) (*capsule.Promotion, error) {
	pr, err := a.promotions()
	if err != nil {
		return nil, err
	}
	id := r.PathValue("id")
	p, err := a.cfg.Store.FindPromotion(r.Context(), id)
	if err != nil {
		return nil, err
	}
	if !CallerFrom(r.Context()).IsMember(p.OrganizationID) {
		return nil, capsule.NotFound("promotion", id)
	}
	return pr.Refresh(r.Context(), p)
}

func (a *API) getPromotion(w http.ResponseWriter, r *http.Request) error {
	p, err := a.loadPromotion(r)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, p)
	return nil
}

func (a *API) getPromotionPreview(w http.ResponseWriter, r *http.Request) error {
	p, err := a.loadPromotion(r)
	if err != nil {
		return err
	}
	return a.writePromotionPreview(w, r, http.StatusOK, p)
}

// getPromotionPart answers one part of the stored preview.
func (a *API) getPromotionPart(part string) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := a.loadPromotion(r)
		if err != nil {
			return err
		}
		art, err := a.cfg.Store.FindPromotionArtifact(r.Context(), p.ID)
		if err != nil {
			return err
		}
		switch part {
		case "diff":
			writeJSON(w, http.StatusOK, art.Diff)
		case "cost":
			writeJSON(w, http.StatusOK, art.EstimatedCost)
		case "risk":
			writeJSON(w, http.StatusOK, PreviewRisks{RiskLevel: art.RiskLevel, Risks: rawList(art.Risks), NotAssessed: rawList(art.NotAssessed)})
		default:
			var src any
			if len(art.ExplanationSource) > 0 {
				src = art.ExplanationSource
			}
			writeJSON(w, http.StatusOK, map[string]any{"explanation": art.Explanation, "explanation_source": src})
		}
		return nil
	}
}

func rawList(b json.RawMessage) []json.RawMessage {
	out := []json.RawMessage{}
	_ = json.Unmarshal(b, &out)
	if out == nil {
		out = []json.RawMessage{}
	}
	return out
}

func (a *API) decidePromotion(reject bool) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var q PromotionDecisionRequest
		if r.ContentLength != 0 {
			if err := decodeJSON(r, &q); err != nil {
				return err
			}
		}
		p, err := a.loadPromotion(r)
		if err != nil {
			return err
		}
		who := promotion.Approver{UserID: CallerFrom(r.Context()).UserID, Roles: a.rolesAt(r, p)}
		d := promotion.Decision{Comment: q.Comment, OverrideReason: q.OverrideReason}
		if reject {
			p, err = a.promo.Reject(r.Context(), p.ID, who, d)
		} else {
			p, err = a.promo.Approve(r.Context(), p.ID, who, d)
		}
		if err != nil {
			return err
		}
		a.auditDelivery(r, p)
		writeJSON(w, http.StatusOK, p)
		return nil
	}
}

// rolesAt names the roles the caller holds on the promotion's target
// environment: every binding whose scope covers it.
func (a *API) rolesAt(r *http.Request, p *capsule.Promotion) []string {
	pr := principalFrom(r.Context())
	if pr == nil {
		return nil
	}
	at := rbac.Scope{OrgID: p.OrganizationID, ProjectID: p.ProjectID, EnvironmentID: p.TargetEnvID}
	var out []string
	for _, b := range pr.bindings {
		if b.Scope.Covers(at) {
			out = append(out, b.Role.Name)
		}
	}
	return out
}

// deliverRoute names the delivery's own audit entry.
var deliverRoute = Route{Method: http.MethodPost, Path: "/api/v1/promotions/{id}/deliver"}

// auditDelivery records promotions.deliver once an approval handed the
// promotion to its delivery: the approval's entry says who decided, this
// one what delivery did (a deployment started, a Git change, a failure).
func (a *API) auditDelivery(r *http.Request, p *capsule.Promotion) {
	outcome := audit.OutcomeSuccess
	switch {
	case p.Status == capsule.PromotionFailed:
		outcome = audit.OutcomeFailure
	case p.Status != capsule.PromotionDelivering && p.Status != capsule.PromotionDelivered:
		return // not delivered (yet): nothing was handed over
	}
	t, _ := r.Context().Value(targetKey{}).(target)
	after := map[string]string{"status": p.Status, "mode": p.Delivery.Mode}
	if p.Delivery.DeploymentID != "" {
		after["deploymentId"] = p.Delivery.DeploymentID
	}
	if g := p.Delivery.Git; g != nil {
		after["commit"], after["prUrl"] = g.Commit, g.PRURL
	}
	a.access.record(r, deliverRoute, principalFrom(r.Context()), t, outcome, after)
}

package web

import (
	"net/http"
	"net/url"
	"strings"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/preview"
)

// promotionRecord is what the UI reads of a promotion (GET
// /api/v1/promotions/{id}): its state, decisions and delivery.
type promotionRecord struct {
	ID          string             `json:"id"`
	ServiceID   string             `json:"serviceId"`
	SourceEnvID string             `json:"sourceEnvId"`
	TargetEnvID string             `json:"targetEnvId"`
	Image       string             `json:"image"`
	Status      string             `json:"status"`
	RequestedBy string             `json:"requestedBy"`
	Approvals   []promotionVerdict `json:"approvals"`
	Rejections  []promotionVerdict `json:"rejections"`
	Gates       []string           `json:"gates"`
	Conflicts   []string           `json:"conflicts"`
	Delivery    struct {
		Mode         string `json:"mode"`
		DeploymentID string `json:"deploymentId"`
		Git          *struct {
			Branch  string `json:"branch"`
			Commit  string `json:"commit"`
			PRURL   string `json:"prUrl"`
			PRState string `json:"prState"`
		} `json:"git"`
	} `json:"delivery"`
	CreatedAt time.Time `json:"createdAt"`
}

type promotionVerdict struct {
	By             string    `json:"by"`
	At             time.Time `json:"at"`
	Comment        string    `json:"comment"`
	OverrideReason string    `json:"overrideReason"`
}

// promotionData is the promotion page: the record, its preview through the
// same partials as /previews/{id}, and whether it still awaits a decision.
type promotionData struct {
	Promotion promotionRecord
	View      previewView
	Open      bool
	PRURL     string
}

func (h *Handler) promotion(pc *pageCtx) error {
	id := pc.r.PathValue("id")
	var art struct {
		Promotion *promotionRecord `json:"promotion"`
		preview.Preview
	}
	if err := pc.get("/api/v1/promotions/"+url.PathEscape(id)+"/preview", &art); err != nil {
		return err
	}
	d := promotionData{}
	if art.Promotion != nil {
		d.Promotion = *art.Promotion
	}
	d.View = buildPreviewView(httpapi.PreviewResponse{ID: d.Promotion.ID, CreatedAt: d.Promotion.CreatedAt, Preview: art.Preview})
	d.Open = d.Promotion.Status == "pending_approval" || d.Promotion.Status == "blocked"
	if g := d.Promotion.Delivery.Git; g != nil && safeLink(g.PRURL) {
		d.PRURL = g.PRURL
	}
	return pc.render("promotion", "Promotion", d)
}

// decidePromotion posts an approval or a rejection, with its comment, to
// the API; whether the user may approve is the API's decision.
func (h *Handler) decidePromotion(pc *pageCtx) error {
	id, decision := pc.r.PathValue("id"), pc.r.PathValue("decision")
	if decision != "approve" && decision != "reject" {
		return &apiError{Status: http.StatusNotFound, Code: capsule.CodeNotFound, Message: "a promotion is approved or rejected, not " + decision}
	}
	body := map[string]string{"comment": strings.TrimSpace(pc.r.PostFormValue("comment"))}
	if o := strings.TrimSpace(pc.r.PostFormValue("override_reason")); o != "" {
		body["override_reason"] = o
	}
	if err := pc.api("POST", "/api/v1/promotions/"+url.PathEscape(id)+"/"+decision, body, nil); err != nil {
		return err
	}
	return pc.redirect("/promotions/" + url.PathEscape(id))
}

// safeLink reports whether a link from stored data may be an href: only
// http and https (html/template would neutralise javascript: anyway).
func safeLink(s string) bool {
	u, err := url.Parse(s)
	return err == nil && (u.Scheme == "https" || u.Scheme == "http") && u.Host != ""
}

package capsule

import (
	"context"
	"encoding/json"
	"time"
)

// Promotion statuses.
const (
	PromotionPending    = "pending_approval"
	PromotionApproved   = "approved"
	PromotionRejected   = "rejected"
	PromotionBlocked    = "blocked" // a gate (risk or cost) holds it until an approver overrides
	PromotionDelivering = "delivering"
	PromotionDelivered  = "delivered"
	PromotionFailed     = "failed"
	PromotionSuperseded = "superseded" // a newer preview of the same service and target replaced it
)

// PromotionStatuses lists every promotion status.
var PromotionStatuses = []string{PromotionPending, PromotionApproved, PromotionRejected, PromotionBlocked,
	PromotionDelivering, PromotionDelivered, PromotionFailed, PromotionSuperseded}

// PromotionOpen reports whether a promotion in status s still waits for a
// decision: approvals and rejections are accepted only then.
func PromotionOpen(s string) bool { return s == PromotionPending || s == PromotionBlocked }

// Promotion is a request to run in a target environment the revision a
// source environment runs, with the preview it was judged on and the
// decisions taken on it.
type Promotion struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	ProjectID      string `json:"projectId"`
	ServiceID      string `json:"serviceId"`
	SourceEnvID    string `json:"sourceEnvId"`
	TargetEnvID    string `json:"targetEnvId"`
	ClusterID      string `json:"clusterId,omitempty"`
	// SourceRevision is the service configuration revision promoted.
	SourceRevision int `json:"sourceRevision"`
	// Image is the image the source environment runs (what delivery deploys).
	Image     string           `json:"image,omitempty"`
	GitCommit string           `json:"gitCommit,omitempty"`
	Status    string           `json:"status"`
	Summary   PromotionSummary `json:"summary"`
	RiskLevel string           `json:"riskLevel"`
	// CostDeltaMicros is the monthly cost change in micro-dollars.
	CostDeltaMicros int64 `json:"costDeltaMicros"`
	// TargetFingerprint and SourceFingerprint hash what the preview compared:
	// an approval is refused once either no longer matches.
	TargetFingerprint string `json:"targetFingerprint"`
	SourceFingerprint string `json:"sourceFingerprint"`
	// TargetSource says where the target's current state came from.
	TargetSource string              `json:"targetSource,omitempty"`
	PreviewedAt  time.Time           `json:"previewedAt"`
	Approvals    []PromotionDecision `json:"approvals"`
	Rejections   []PromotionDecision `json:"rejections"`
	RequestedBy  string              `json:"requestedBy"`
	// Gates names the policy gates the preview tripped.
	Gates     []string          `json:"gates,omitempty"`
	Delivery  PromotionDelivery `json:"delivery"`
	Conflicts []string          `json:"conflicts"`
	// Note explains the status when it needs it (a gate, a missing deliverer).
	Note      string    `json:"note,omitempty"`
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// PromotionSummary counts the objects the promotion adds, removes and changes.
type PromotionSummary struct {
	Added    int `json:"added"`
	Removed  int `json:"removed"`
	Modified int `json:"modified"`
}

// PromotionDecision is one approval or rejection.
type PromotionDecision struct {
	By             string    `json:"by"`
	At             time.Time `json:"at"`
	Comment        string    `json:"comment,omitempty"`
	OverrideReason string    `json:"overrideReason,omitempty"`
}

// PromotionDelivery is how the approved promotion reaches the target.
type PromotionDelivery struct {
	Mode         string        `json:"mode"`
	DeploymentID string        `json:"deploymentId,omitempty"`
	Git          *GitDelivered `json:"git,omitempty"`
}

// GitDelivered is what a GitOps delivery produced.
type GitDelivered struct {
	Branch  string `json:"branch,omitempty"`
	Commit  string `json:"commit,omitempty"`
	PRURL   string `json:"prUrl,omitempty"`
	PRState string `json:"prState,omitempty"`
}

// PromotionArtifact is the stored preview of a promotion, each part the
// JSON the preview engine produced.
type PromotionArtifact struct {
	Diff              json.RawMessage `json:"diff"`
	EstimatedCost     json.RawMessage `json:"estimated_cost"`
	RiskLevel         string          `json:"risk_level"`
	Risks             json.RawMessage `json:"risks"`
	NotAssessed       json.RawMessage `json:"not_assessed"`
	Explanation       string          `json:"explanation"`
	ExplanationSource json.RawMessage `json:"explanation_source,omitempty"`
}

// Validate checks the promotion's fields and fills defaults.
func (p *Promotion) Validate() error {
	var v Validation
	for field, id := range map[string]string{"projectId": p.ProjectID, "serviceId": p.ServiceID,
		"sourceEnvId": p.SourceEnvID, "targetEnvId": p.TargetEnvID} {
		if id == "" {
			v.Add(field, "is required")
		}
	}
	if p.SourceEnvID != "" && p.SourceEnvID == p.TargetEnvID {
		v.Add("targetEnvId", "is the source environment: a promotion moves a revision to another environment")
	}
	if p.Status == "" {
		p.Status = PromotionPending
	}
	v.checkOneOf("status", p.Status, PromotionStatuses...)
	if p.SourceRevision < 0 {
		v.Add("sourceRevision", "must not be negative")
	}
	if len(p.GitCommit) > 64 {
		v.Add("gitCommit", "%q is not a commit (at most 64 characters)", clipText(p.GitCommit, 80))
	}
	if p.Delivery.Mode == "" {
		p.Delivery.Mode = DeliveryDirect
	}
	v.checkOneOf("delivery.mode", p.Delivery.Mode, DeliveryDirect, DeliveryGitOps)
	if p.Approvals == nil {
		p.Approvals = []PromotionDecision{}
	}
	if p.Rejections == nil {
		p.Rejections = []PromotionDecision{}
	}
	if p.Conflicts == nil {
		p.Conflicts = []string{}
	}
	return v.Err()
}

// PromotionFilter selects promotions, newest first.
type PromotionFilter struct {
	ProjectID       string
	ServiceID       string
	EnvironmentID   string // source or target
	Status          string
	OrganizationIDs []string // when not nil, only promotions of these organizations
	Page
}

// PromotionUpdate is one change of a promotion: a new status (with note,
// delivery and conflicts), optionally with the decision that caused it.
type PromotionUpdate struct {
	Status    string
	Note      string
	Delivery  PromotionDelivery
	Conflicts []string
	// Decision is recorded as an approval (Reject false) or a rejection.
	Decision *PromotionDecision
	Reject   bool
}

// PromotionStore persists promotions.
type PromotionStore interface {
	// CreatePromotion stores p and its artifact; open promotions of the
	// same service into the same target become superseded.
	CreatePromotion(ctx context.Context, p *Promotion, a *PromotionArtifact) error
	FindPromotion(ctx context.Context, id string) (*Promotion, error)
	FindPromotionArtifact(ctx context.Context, id string) (*PromotionArtifact, error)
	ListPromotions(ctx context.Context, f PromotionFilter) (List[Promotion], error)
	// UpdatePromotion applies u if the stored version is still version
	// (VERSION_CONFLICT otherwise) and returns the promotion after it.
	UpdatePromotion(ctx context.Context, id string, version int64, u PromotionUpdate) (*Promotion, error)
}

// PromotionKnownStatus reports whether s is a promotion status.
func PromotionKnownStatus(s string) bool {
	for _, x := range PromotionStatuses {
		if x == s {
			return true
		}
	}
	return false
}

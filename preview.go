package capsule

import (
	"context"
	"encoding/json"
	"time"
)

// Preview is a stored promotion preview: the artifact computed by
// the preview engine from two manifest sets, kept so that it can be read
// again, linked from a pull request and approved later.
type Preview struct {
	ID             string `json:"id"`
	OrganizationID string `json:"organizationId"`
	ProjectID      string `json:"projectId,omitempty"`
	// RiskLevel is copied out of Result for listing and filtering.
	RiskLevel string `json:"riskLevel"`
	// Result is the artifact's JSON (diff, estimated_cost, risk_level,
	// risks, explanation), stored byte for byte as it was returned.
	Result    json.RawMessage `json:"result"`
	CreatedBy string          `json:"createdBy,omitempty"`
	CreatedAt time.Time       `json:"createdAt"`
}

// PreviewStore persists previews.
type PreviewStore interface {
	// CreatePreview stores p with a new ID and creation time.
	CreatePreview(ctx context.Context, p *Preview) error
	// FindPreview returns the preview with id, or PREVIEW_NOT_FOUND.
	FindPreview(ctx context.Context, id string) (*Preview, error)
}

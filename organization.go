package capsule

import (
	"context"
	"time"
)

// Organization is a tenant: it owns projects, members, secrets and settings.
type Organization struct {
	ID           string               `json:"id"`
	Name         string               `json:"name"`
	Slug         string               `json:"slug"`
	Subscription Subscription         `json:"subscription"`
	Settings     OrganizationSettings `json:"settings"`
	// Version increases by one on every update; updates based on an older
	// version are rejected (no lost updates).
	Version   int64     `json:"version"`
	CreatedAt time.Time `json:"createdAt"`
	UpdatedAt time.Time `json:"updatedAt"`
}

// Subscription is the organization's plan.
type Subscription struct {
	Tier         string `json:"tier"`         // free|pro|team|enterprise
	Seats        int    `json:"seats"`        // number of seats
	BillingCycle string `json:"billingCycle"` // monthly|annual
}

// OrganizationSettings are organization-wide switches.
type OrganizationSettings struct {
	DefaultRegion string `json:"defaultRegion,omitempty"`
	SSOEnabled    bool   `json:"ssoEnabled"`
	MFARequired   bool   `json:"mfaRequired"`
}

// Validate checks the organization's fields and fills defaults.
func (o *Organization) Validate() error {
	var v Validation
	v.checkName("name", o.Name)
	v.checkDNSLabel("slug", o.Slug)
	if o.Subscription.Tier == "" {
		o.Subscription.Tier = "free"
	}
	if o.Subscription.BillingCycle == "" {
		o.Subscription.BillingCycle = "monthly"
	}
	if o.Subscription.Seats == 0 {
		o.Subscription.Seats = 5
	}
	v.checkOneOf("subscription.tier", o.Subscription.Tier, "free", "pro", "team", "enterprise")
	v.checkOneOf("subscription.billingCycle", o.Subscription.BillingCycle, "monthly", "annual")
	if o.Subscription.Seats < 0 {
		v.Add("subscription.seats", "must not be negative")
	}
	return v.Err()
}

// OrganizationFilter selects organizations. MemberUserID, when set, keeps only
// organizations the user is a member of.
type OrganizationFilter struct {
	MemberUserID string
	Slug         string
	Page
}

// OrganizationStore persists organizations.
type OrganizationStore interface {
	FindOrganization(ctx context.Context, id string) (*Organization, error)
	ListOrganizations(ctx context.Context, f OrganizationFilter) (List[Organization], error)
	// CreateOrganization assigns ID, Version and timestamps. When ownerUserID
	// is not empty the user becomes the organization's owner in the same transaction.
	CreateOrganization(ctx context.Context, o *Organization, ownerUserID string) error
	// UpdateOrganization writes o when o.Version is the stored version, then
	// increments o.Version; otherwise it returns a VERSION_CONFLICT error.
	UpdateOrganization(ctx context.Context, o *Organization) error
	// DeleteOrganization removes the organization and, in one transaction,
	// everything it owns.
	DeleteOrganization(ctx context.Context, id string) error
}

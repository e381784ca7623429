package sqlstore

import (
	"context"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/database"
)

const orgColumns = "id, name, slug, subscription_tier, subscription_seats, billing_cycle, settings, version, created_at, updated_at"

func scanOrganization(r rowScanner) (*capsule.Organization, error) {
	var (
		o                capsule.Organization
		created, updated database.Time
	)
	err := r.Scan(&o.ID, &o.Name, &o.Slug, &o.Subscription.Tier, &o.Subscription.Seats, &o.Subscription.BillingCycle,
		jsonColumn{&o.Settings}, &o.Version, &created, &updated)
	if err != nil {
		return nil, err
	}
	o.CreatedAt, o.UpdatedAt = created.Time, updated.Time
	return &o, nil
}

// FindOrganization returns the organization with id.
func (s *Store) FindOrganization(ctx context.Context, id string) (*capsule.Organization, error) {
	cid, ok := database.CanonicalID(id)
	if !ok {
		return nil, capsule.NotFound("organization", id)
	}
	o, err := scanOrganization(s.db.QueryRow(ctx, "SELECT "+orgColumns+" FROM organizations WHERE id = ?", cid))
	return o, database.DomainError(err, capsule.NotFound("organization", id))
}

// ListOrganizations returns organizations in creation order.
func (s *Store) ListOrganizations(ctx context.Context, f capsule.OrganizationFilter) (capsule.List[capsule.Organization], error) {
	var c conds
	if f.MemberUserID != "" {
		if uid, ok := database.CanonicalID(f.MemberUserID); ok {
			c.add("EXISTS (SELECT 1 FROM organization_members m WHERE m.organization_id = organizations.id AND m.user_id = ?)", uid)
		} else {
			c.empty = true
		}
	}
	if f.Slug != "" {
		c.add("slug = ?", f.Slug)
	}
	spec := listSpec{from: "SELECT " + orgColumns + " FROM organizations", key: "id", isIDKey: true}
	return list(ctx, s.db, spec, c, f.Page, func(r rowScanner) (capsule.Organization, string, error) {
		o, err := scanOrganization(r)
		if err != nil {
			return capsule.Organization{}, "", err
		}
		return *o, o.ID, nil
	})
}

// CreateOrganization stores o with a new ID and, when ownerUserID is set,
// makes that user its owner in the same transaction.
func (s *Store) CreateOrganization(ctx context.Context, o *capsule.Organization, ownerUserID string) error {
	if err := o.Validate(); err != nil {
		return err
	}
	owner := ""
	if ownerUserID != "" {
		var ok bool
		if owner, ok = database.CanonicalID(ownerUserID); !ok {
			return capsule.NotFound("user", ownerUserID)
		}
	}
	n := *o
	n.ID, n.Version = database.NewID(), 1
	database.NoteTarget(ctx, n.ID)
	n.CreatedAt = database.Now()
	n.UpdatedAt = n.CreatedAt
	settings, err := jsonText(n.Settings)
	if err != nil {
		return err
	}
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		_, err := tx.Exec(ctx, "INSERT INTO organizations ("+orgColumns+") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
			n.ID, n.Name, n.Slug, n.Subscription.Tier, n.Subscription.Seats, n.Subscription.BillingCycle, settings,
			n.Version, database.TimeOf(n.CreatedAt), database.TimeOf(n.UpdatedAt))
		if database.IsUniqueViolation(err) {
			return capsule.AlreadyExists("organization", "slug", n.Slug)
		}
		if err != nil || owner == "" {
			return err
		}
		return insertMember(ctx, tx, &capsule.Member{OrganizationID: n.ID, UserID: owner, Role: capsule.RoleOwner, JoinedAt: n.CreatedAt})
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	*o = n
	return nil
}

// UpdateOrganization writes o when o.Version is current and increments it.
func (s *Store) UpdateOrganization(ctx context.Context, o *capsule.Organization) error {
	if err := o.Validate(); err != nil {
		return err
	}
	id, ok := database.CanonicalID(o.ID)
	if !ok {
		return capsule.NotFound("organization", o.ID)
	}
	settings, err := jsonText(o.Settings)
	if err != nil {
		return err
	}
	now := database.Now()
	var created database.Time
	err = s.db.InTx(ctx, func(tx *database.Tx) error {
		err := tx.QueryRow(ctx, `UPDATE organizations SET name = ?, slug = ?, subscription_tier = ?, subscription_seats = ?,
			billing_cycle = ?, settings = ?, version = version + 1, updated_at = ?
			WHERE id = ? AND version = ? RETURNING created_at`,
			o.Name, o.Slug, o.Subscription.Tier, o.Subscription.Seats, o.Subscription.BillingCycle, settings,
			database.TimeOf(now), id, o.Version).Scan(&created)
		return updateError(ctx, tx, err, "organizations", "organization", id, o.Version,
			capsule.AlreadyExists("organization", "slug", o.Slug))
	})
	if err != nil {
		return database.DomainError(err, nil)
	}
	o.ID, o.Version, o.UpdatedAt, o.CreatedAt = id, o.Version+1, now, created.Time
	return nil
}

// DeleteOrganization removes the organization; ON DELETE CASCADE removes its
// members, projects and everything under them in the same statement.
func (s *Store) DeleteOrganization(ctx context.Context, id string) error {
	return s.deleteByID(ctx, "organizations", "organization", id)
}

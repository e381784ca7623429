package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/usecapsule/capsule"
)

// findOrganization returns the organization when the caller is a member; any
// other organization is reported as not found.
func findOrganization(ctx context.Context, st capsule.OrganizationStore, id string) (*capsule.Organization, error) {
	if !CallerFrom(ctx).IsMember(id) {
		return nil, capsule.NotFound("organization", id)
	}
	return st.FindOrganization(ctx, id)
}

func listOrganizations(st capsule.OrganizationStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := pageParam(r.URL.Query())
		if err != nil {
			return err
		}
		l, err := st.ListOrganizations(r.Context(), capsule.OrganizationFilter{MemberUserID: CallerFrom(r.Context()).UserID, Page: p})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, l)
		return nil
	}
}

func createOrganization(st capsule.OrganizationStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var o capsule.Organization
		if err := decodeJSON(r, &o); err != nil {
			return err
		}
		o.ID, o.Version, o.CreatedAt, o.UpdatedAt = "", 0, time.Time{}, time.Time{}
		if err := o.Validate(); err != nil {
			return err
		}
		if err := st.CreateOrganization(r.Context(), &o, CallerFrom(r.Context()).UserID); err != nil {
			return err
		}
		return created(w, "/api/v1/organizations/"+o.ID, o.Version, o)
	}
}

func getOrganization(st capsule.OrganizationStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		o, err := findOrganization(r.Context(), st, r.PathValue("id"))
		if err != nil {
			return err
		}
		return entity(w, o.Version, o)
	}
}

func updateOrganization(st capsule.OrganizationStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		var o capsule.Organization
		if err := decodeJSON(r, &o); err != nil {
			return err
		}
		if err := sameID(o.ID, id); err != nil {
			return err
		}
		stored, err := findOrganization(r.Context(), st, id)
		if err != nil {
			return err
		}
		if err := checkVersion(r, "organization", id, stored.Version, &o.Version); err != nil {
			return err
		}
		o.ID, o.CreatedAt = id, stored.CreatedAt
		if err := o.Validate(); err != nil {
			return err
		}
		if err := st.UpdateOrganization(r.Context(), &o); err != nil {
			return err
		}
		return entity(w, o.Version, o)
	}
}

// deleteOrganization deletes an organization with everything it owns. Only
// an owner may (an admin manages the organization but cannot end it), and
// only when the request names it: confirm=<slug or name>, so a stray
// DELETE with an ID from a script's variable cannot wipe a tenant.
func deleteOrganization(st capsule.OrganizationStore) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		o, err := findOrganization(r.Context(), st, id)
		if err != nil {
			return err
		}
		if err := ownerOf(r, id); err != nil {
			return err
		}
		confirm := r.URL.Query().Get("confirm")
		switch {
		case confirm == "":
			return capsule.Errorf(capsule.KindInvalid, capsule.CodeConfirmationRequired,
				"deleting organization %s deletes every project, environment, service and secret in it; repeat its slug as confirm=%s", o.Slug, o.Slug)
		case confirm != o.Slug && confirm != o.Name:
			return capsule.Errorf(capsule.KindInvalid, capsule.CodeConfirmationMismatch,
				"confirm=%q does not name organization %s (slug %q)", confirm, id, o.Slug)
		}
		if err := st.DeleteOrganization(r.Context(), id); err != nil {
			return err
		}
		return noContent(w)
	}
}

// ownerOf refuses anyone but a signed-in owner of the organization; API
// keys never end an organization, whatever their role.
func ownerOf(r *http.Request, orgID string) error {
	if p := principalFrom(r.Context()); p != nil && p.key != nil {
		return forbidden("API keys cannot delete organizations; an owner signs in to do that")
	}
	for _, m := range CallerFrom(r.Context()).Memberships {
		if m.OrganizationID == orgID && m.Role == capsule.RoleOwner {
			return nil
		}
	}
	return forbidden("only an owner of the organization may delete it")
}

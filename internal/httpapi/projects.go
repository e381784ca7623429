package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/usecapsule/capsule"
)

// findProject returns the project when it belongs to one of the caller's
// organizations; any other project is reported as not found.
func findProject(ctx context.Context, st capsule.ProjectStore, id string) (*capsule.Project, error) {
	p, err := st.FindProject(ctx, id)
	if err != nil {
		return nil, err
	}
	if !CallerFrom(ctx).IsMember(p.OrganizationID) {
		return nil, capsule.NotFound("project", id)
	}
	return p, nil
}

// defaultOrganization picks the organization of a project created without
// organizationId: the caller's only organization, else the one with slug
// "default" (as `heroku create` uses your personal account by default).
func defaultOrganization(ctx context.Context, st capsule.OrganizationStore) (string, error) {
	c := CallerFrom(ctx)
	if len(c.Memberships) == 1 {
		return c.Memberships[0].OrganizationID, nil
	}
	l, err := st.ListOrganizations(ctx, capsule.OrganizationFilter{MemberUserID: c.UserID, Slug: "default", Page: capsule.Page{Limit: 1}})
	if err != nil {
		return "", err
	}
	if len(l.Items) == 1 {
		return l.Items[0].ID, nil
	}
	return "", invalid(capsule.CodeValidation, "organizationId", "is required: you are a member of %d organizations and none has slug \"default\"", len(c.Memberships))
}

func listProjects(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		p, err := pageParam(q)
		if err != nil {
			return err
		}
		l, err := st.ListProjects(r.Context(), capsule.ProjectFilter{OrganizationID: q.Get("organizationId"),
			OrganizationIDs: CallerFrom(r.Context()).OrgIDs(), Page: p})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, l)
		return nil
	}
}

func createProject(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var p capsule.Project
		if err := decodeJSON(r, &p); err != nil {
			return err
		}
		p.ID, p.Version, p.CreatedAt, p.UpdatedAt = "", 0, time.Time{}, time.Time{}
		if p.OrganizationID == "" {
			id, err := defaultOrganization(r.Context(), st)
			if err != nil {
				return err
			}
			p.OrganizationID = id
		} else if !CallerFrom(r.Context()).IsMember(p.OrganizationID) {
			return capsule.NotFound("organization", p.OrganizationID)
		}
		if err := p.Validate(); err != nil {
			return err
		}
		if err := st.CreateProject(r.Context(), &p); err != nil {
			return err
		}
		return created(w, "/api/v1/projects/"+p.ID, p.Version, p)
	}
}

func getProject(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		p, err := findProject(r.Context(), st, r.PathValue("id"))
		if err != nil {
			return err
		}
		return entity(w, p.Version, p)
	}
}

func updateProject(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		var p capsule.Project
		if err := decodeJSON(r, &p); err != nil {
			return err
		}
		if err := sameID(p.ID, id); err != nil {
			return err
		}
		stored, err := findProject(r.Context(), st, id)
		if err != nil {
			return err
		}
		if err := immutable("organizationId", p.OrganizationID, stored.OrganizationID); err != nil {
			return err
		}
		if err := checkVersion(r, "project", id, stored.Version, &p.Version); err != nil {
			return err
		}
		p.ID, p.OrganizationID, p.CreatedAt = id, stored.OrganizationID, stored.CreatedAt
		if err := p.Validate(); err != nil {
			return err
		}
		if err := st.UpdateProject(r.Context(), &p); err != nil {
			return err
		}
		return entity(w, p.Version, p)
	}
}

func deleteProject(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if _, err := findProject(r.Context(), st, id); err != nil {
			return err
		}
		if err := st.DeleteProject(r.Context(), id); err != nil {
			return err
		}
		return noContent(w)
	}
}

package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/usecapsule/capsule"
)

// findService returns the service when its project is visible to the caller;
// any other service is reported as not found.
func findService(ctx context.Context, st capsule.Store, id string) (*capsule.Service, error) {
	s, err := st.FindService(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := findProject(ctx, st, s.ProjectID); err != nil {
		if capsule.IsNotFound(err) {
			return nil, capsule.NotFound("service", id)
		}
		return nil, err
	}
	return s, nil
}

func listServices(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		p, err := pageParam(q)
		if err != nil {
			return err
		}
		typ, err := enumParam(q, "type", serviceTypes)
		if err != nil {
			return err
		}
		l, err := st.ListServices(r.Context(), capsule.ServiceFilter{ProjectID: q.Get("projectId"), Type: typ,
			Status: q.Get("status"), OrganizationIDs: CallerFrom(r.Context()).OrgIDs(), Page: p})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, l)
		return nil
	}
}

func createService(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var s capsule.Service
		if err := decodeJSON(r, &s); err != nil {
			return err
		}
		s.ID, s.Version, s.Revision, s.Status, s.CreatedAt, s.UpdatedAt = "", 0, 0, "", time.Time{}, time.Time{}
		if err := parentProject(r.Context(), st, s.ProjectID); err != nil {
			return err
		}
		if err := s.Validate(); err != nil {
			return err
		}
		if err := st.CreateService(r.Context(), &s, CallerFrom(r.Context()).UserID); err != nil {
			return err
		}
		return created(w, "/api/v1/services/"+s.ID, s.Version, s)
	}
}

func getService(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		s, err := findService(r.Context(), st, r.PathValue("id"))
		if err != nil {
			return err
		}
		return entity(w, s.Version, s)
	}
}

func updateService(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		var s capsule.Service
		if err := decodeJSON(r, &s); err != nil {
			return err
		}
		if err := sameID(s.ID, id); err != nil {
			return err
		}
		stored, err := findService(r.Context(), st, id)
		if err != nil {
			return err
		}
		if err := immutable("projectId", s.ProjectID, stored.ProjectID); err != nil {
			return err
		}
		if err := checkVersion(r, "service", id, stored.Version, &s.Version); err != nil {
			return err
		}
		// Status and revision belong to the server (deploys and the revision history).
		s.ID, s.ProjectID, s.CreatedAt = id, stored.ProjectID, stored.CreatedAt
		s.Status, s.Revision = stored.Status, stored.Revision
		if err := s.Validate(); err != nil {
			return err
		}
		if err := st.UpdateService(r.Context(), &s, CallerFrom(r.Context()).UserID); err != nil {
			return err
		}
		return entity(w, s.Version, s)
	}
}

func deleteService(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if _, err := findService(r.Context(), st, id); err != nil {
			return err
		}
		if err := st.DeleteService(r.Context(), id); err != nil {
			return err
		}
		return noContent(w)
	}
}

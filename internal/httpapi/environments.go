package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/usecapsule/capsule"
)

// findEnvironment returns the environment when its project is visible to the
// caller; any other environment is reported as not found.
func findEnvironment(ctx context.Context, st capsule.Store, id string) (*capsule.Environment, error) {
	e, err := st.FindEnvironment(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := findProject(ctx, st, e.ProjectID); err != nil {
		if capsule.IsNotFound(err) {
			return nil, capsule.NotFound("environment", id)
		}
		return nil, err
	}
	return e, nil
}

// parentProject checks that a new child's project is visible; the error
// names the field, since the client sent the reference.
func parentProject(ctx context.Context, st capsule.Store, projectID string) error {
	if projectID == "" {
		return nil // Validate reports the missing field with the others
	}
	_, err := findProject(ctx, st, projectID)
	return err
}

func listEnvironments(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		p, err := pageParam(q)
		if err != nil {
			return err
		}
		kind, err := enumParam(q, "kind", envKinds)
		if err != nil {
			return err
		}
		l, err := st.ListEnvironments(r.Context(), capsule.EnvironmentFilter{ProjectID: q.Get("projectId"), Kind: kind,
			OrganizationIDs: CallerFrom(r.Context()).OrgIDs(), Page: p})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, l)
		return nil
	}
}

func createEnvironment(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		var e capsule.Environment
		if err := decodeJSON(r, &e); err != nil {
			return err
		}
		e.ID, e.Version, e.CreatedAt, e.UpdatedAt = "", 0, time.Time{}, time.Time{}
		if err := parentProject(r.Context(), st, e.ProjectID); err != nil {
			return err
		}
		if err := e.Validate(); err != nil {
			return err
		}
		if err := st.CreateEnvironment(r.Context(), &e); err != nil {
			return err
		}
		return created(w, "/api/v1/environments/"+e.ID, e.Version, e)
	}
}

func getEnvironment(st capsule.Store, drifts driftChecks) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		e, err := findEnvironment(r.Context(), st, r.PathValue("id"))
		if err != nil {
			return err
		}
		v := EnvironmentView{Environment: *e}
		if v.Drift, err = lastDrift(r.Context(), drifts, e.ID); err != nil {
			return err
		}
		return entity(w, e.Version, v)
	}
}

func updateEnvironment(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		// A GET's answer sent back carries the read-only drift; it is ignored.
		var in EnvironmentView
		if err := decodeJSON(r, &in); err != nil {
			return err
		}
		e := in.Environment
		if err := sameID(e.ID, id); err != nil {
			return err
		}
		stored, err := findEnvironment(r.Context(), st, id)
		if err != nil {
			return err
		}
		if err := immutable("projectId", e.ProjectID, stored.ProjectID); err != nil {
			return err
		}
		if err := checkVersion(r, "environment", id, stored.Version, &e.Version); err != nil {
			return err
		}
		e.ID, e.ProjectID, e.CreatedAt = id, stored.ProjectID, stored.CreatedAt
		if err := e.Validate(); err != nil {
			return err
		}
		if err := st.UpdateEnvironment(r.Context(), &e); err != nil {
			return err
		}
		return entity(w, e.Version, e)
	}
}

func deleteEnvironment(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		if _, err := findEnvironment(r.Context(), st, id); err != nil {
			return err
		}
		if err := st.DeleteEnvironment(r.Context(), id); err != nil {
			return err
		}
		return noContent(w)
	}
}

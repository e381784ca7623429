package httpapi

import (
	"context"
	"net/http"

	"github.com/usecapsule/capsule"
)

// findDeployment returns the deployment when its service is visible to the
// caller; any other deployment is reported as not found.
func findDeployment(ctx context.Context, st capsule.Store, id string) (*capsule.Deployment, error) {
	d, err := st.FindDeployment(ctx, id)
	if err != nil {
		return nil, err
	}
	if _, err := findService(ctx, st, d.ServiceID); err != nil {
		if capsule.IsNotFound(err) {
			return nil, capsule.NotFound("deployment", id)
		}
		return nil, err
	}
	return d, nil
}

func listDeployments(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		q := r.URL.Query()
		p, err := pageParam(q)
		if err != nil {
			return err
		}
		status, err := enumParam(q, "status", capsule.DeploymentStatuses)
		if err != nil {
			return err
		}
		l, err := st.ListDeployments(r.Context(), capsule.DeploymentFilter{ServiceID: q.Get("serviceId"),
			EnvironmentID: q.Get("environmentId"), ProjectID: q.Get("projectId"), Status: status,
			OrganizationIDs: CallerFrom(r.Context()).OrgIDs(), Page: p})
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, l)
		return nil
	}
}

func getDeployment(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		d, err := findDeployment(r.Context(), st, r.PathValue("id"))
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, d)
		return nil
	}
}

// cancellable are the statuses a deployment can be cancelled from: the ones
// before it is running. A finished deployment is history, not a job.
var cancellable = map[string]bool{capsule.DeploymentPending: true, capsule.DeploymentBuilding: true, capsule.DeploymentDeploying: true}

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

func cancelDeployment(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		id := r.PathValue("id")
		d, err := findDeployment(r.Context(), st, id)
		if err != nil {
			return err
		}
		if !cancellable[d.Status] {
			return &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeDeploymentNotCancellable,
				Message: "deployment " + id + " is " + d.Status + "; only pending, building or deploying deployments can be cancelled",
				Details: map[string]any{"status": d.Status}}
		}
		d, err = st.UpdateDeploymentStatus(r.Context(), id, capsule.DeploymentCancelled, "cancelled by "+CallerFrom(r.Context()).UserID)
		if err != nil {
			return err
		}
		writeJSON(w, http.StatusOK, d)
		return nil
	}
}

func deploymentLogs(st capsule.Store) handlerFunc {
	return func(w http.ResponseWriter, r *http.Request) error {
		if _, err := findDeployment(r.Context(), st, r.PathValue("id")); err != nil {
			return err
		}
		return capsule.NotImplemented("deployment logs")
	}
}

package httpapi

import (
	"net/http"
	"strconv"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deployer"
)

// The deploy routes validate the body, check the service is visible and
// hand over to internal/deployer, which records the deployment and
// enqueues its job in the request's transaction (with the audit entry).

func (a *API) deployService(w http.ResponseWriter, r *http.Request) error {
	var req deployer.DeployRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return a.startDeployment(w, r, func(svc *capsule.Service) (*deployer.Accepted, error) {
		return a.cfg.Deployer.Deploy(r.Context(), svc, req)
	})
}

func (a *API) rollbackService(w http.ResponseWriter, r *http.Request) error {
	var req deployer.RollbackRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return a.startDeployment(w, r, func(svc *capsule.Service) (*deployer.Accepted, error) {
		return a.cfg.Deployer.Rollback(r.Context(), svc, req)
	})
}

func (a *API) scaleService(w http.ResponseWriter, r *http.Request) error {
	var req deployer.ScaleRequest
	if err := decodeJSON(r, &req); err != nil {
		return err
	}
	return a.startDeployment(w, r, func(svc *capsule.Service) (*deployer.Accepted, error) {
		return a.cfg.Deployer.Scale(r.Context(), svc, req)
	})
}

func (a *API) startDeployment(w http.ResponseWriter, r *http.Request, start func(*capsule.Service) (*deployer.Accepted, error)) error {
	svc, err := findService(r.Context(), a.cfg.Store, r.PathValue("id"))
	if err != nil {
		return err
	}
	if a.cfg.Deployer == nil {
		return capsule.NotImplemented("deploys in a process without a job runner")
	}
	acc, err := start(svc)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusAccepted, acc)
	return nil
}

// cancelDeploymentRun cancels a deployment's job when it has one, else
// the record alone (a deployment recorded by other means).
func (a *API) cancelDeploymentRun(w http.ResponseWriter, r *http.Request) error {
	id := r.PathValue("id")
	d, err := findDeployment(r.Context(), a.cfg.Store, id)
	if err != nil {
		return err
	}
	if !cancellable[d.Status] {
		return notCancellable(d)
	}
	if a.cfg.Deployer != nil {
		out, ok, err := a.cfg.Deployer.Cancel(r.Context(), d, CallerFrom(r.Context()).UserID)
		if err != nil {
			return err
		}
		if ok {
			writeJSON(w, http.StatusOK, out)
			return nil
		}
	}
	d, err = a.cfg.Store.UpdateDeploymentStatus(r.Context(), id, capsule.DeploymentCancelled, "cancelled by "+CallerFrom(r.Context()).UserID)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, d)
	return nil
}

func notCancellable(d *capsule.Deployment) error {
	return &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeDeploymentNotCancellable,
		Message: "deployment " + d.ID + " is " + d.Status + "; only pending, building or deploying deployments can be cancelled",
		Details: map[string]any{"status": d.Status}}
}

// deploymentLogs streams the logs of the deployment's pods as text, each
// line prefixed with its pod; with follow=true until the client leaves.
func (a *API) deploymentLogs(w http.ResponseWriter, r *http.Request) error {
	d, err := findDeployment(r.Context(), a.cfg.Store, r.PathValue("id"))
	if err != nil {
		return err
	}
	q := r.URL.Query()
	var (
		o deployer.LogOptions
		v capsule.Validation
	)
	if s := q.Get("follow"); s != "" {
		if o.Follow, err = strconv.ParseBool(s); err != nil {
			v.Add("follow", "%q is not true or false", clip(s, 20))
		}
	}
	if s := q.Get("since"); s != "" {
		if o.Since, err = time.ParseDuration(s); err != nil || o.Since < 0 {
			v.Add("since", "%q is not a duration such as 10m or 1h", clip(s, 40))
		}
	}
	o.Container = q.Get("container")
	if o.Container != "" && !capsule.IsDNSLabel(o.Container) {
		v.Add("container", "%q is not a container name", clip(o.Container, 80))
	}
	if err := v.Err(); err != nil {
		return err
	}
	if a.cfg.Deployer == nil {
		return capsule.NotImplemented("deployment logs in a process without a job runner")
	}
	rc := http.NewResponseController(w)
	flush := func() { _ = rc.Flush() }
	// Headers are written with the first line: until then an error can
	// still be answered with its status.
	hw := &lazyHeader{w: w}
	if o.Follow {
		_ = rc.SetWriteDeadline(time.Time{})
	}
	return a.cfg.Deployer.Logs(r.Context(), d, o, hw, flush)
}

// lazyHeader sets the text content type on its first write.
type lazyHeader struct {
	w       http.ResponseWriter
	written bool
}

func (l *lazyHeader) Write(p []byte) (int, error) {
	if !l.written {
		l.written = true
		l.w.Header().Set("Content-Type", "text/plain; charset=utf-8")
		l.w.Header().Set("X-Content-Type-Options", "nosniff")
		l.w.WriteHeader(http.StatusOK)
	}
	return l.w.Write(p)
}

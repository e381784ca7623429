package deployer

import (
	"context"
	"errors"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/jobs"
)

// Cancel cancels deployment rec's job: a queued one at once (the record
// says cancelled), a running one at its runner's next heartbeat (the
// record says cancelled once the engine has stopped). ok is false for a deployment without a job
// (recorded by other means), which the caller cancels on the record alone.
func (d *Deployer) Cancel(ctx context.Context, rec *capsule.Deployment, by string) (out *capsule.Deployment, ok bool, err error) {
	run, err := d.cfg.Store.FindDeployRun(ctx, rec.ID)
	if capsule.IsNotFound(err) {
		return nil, false, nil
	}
	if err != nil {
		return nil, true, err
	}
	j, err := d.cfg.Store.Jobs().Cancel(ctx, run.JobID)
	switch {
	case errors.Is(err, jobs.ErrFinished), errors.Is(err, jobs.ErrNotFound):
		// The job ended between the record's read and the cancel: the
		// record is written (or about to be) by the job's handler.
		return nil, true, &capsule.Error{Kind: capsule.KindConflict, Code: capsule.CodeDeploymentNotCancellable,
			Message: "deployment " + rec.ID + " already finished", Details: map[string]any{"status": rec.Status}}
	case err != nil:
		return nil, true, err
	}
	if j.Status == jobs.Cancelled {
		out, err = d.cfg.Store.UpdateDeploymentProgress(ctx, rec.ID, capsule.DeploymentCancelled, "cancelled by "+by+" before it started", rec.Replicas)
		d.notify()
		return out, true, err
	}
	// Not written to the record: the handler may be writing its final
	// status right now, which must not be overwritten.
	c := *rec
	c.Message = "cancel requested by " + by + "; the deploy stops within seconds"
	return &c, true, nil
}

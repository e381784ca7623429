package deployer

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"strings"
	"sync"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/events"
	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// Handle runs one deploy job: the deployment its subject names. It is
// idempotent (server-side apply), so a job resumed after a crash runs it
// again from the start.
func (d *Deployer) Handle(ctx context.Context, j *jobs.Job) error {
	st := d.cfg.Store
	rec, err := st.FindDeployment(ctx, j.Subject)
	if err != nil {
		return err
	}
	run, err := st.FindDeployRun(ctx, rec.ID)
	if err != nil {
		return err
	}
	svc, err := st.FindService(ctx, rec.ServiceID)
	if err != nil {
		return d.finish(ctx, rec, nil, capsule.DeploymentFailed, "the service is gone: "+err.Error(), rec.Replicas)
	}
	t, err := d.resolve(ctx, svc, rec.EnvironmentID)
	if err != nil {
		return d.finish(ctx, rec, nil, capsule.DeploymentFailed, err.Error(), rec.Replicas)
	}
	scope := events.Scope{OrganizationID: t.project.OrganizationID, ProjectID: t.project.ID, EnvironmentID: t.env.ID,
		ServiceID: svc.ID, DeploymentID: rec.ID}
	if rec, err = st.UpdateDeploymentProgress(ctx, rec.ID, capsule.DeploymentDeploying, run.Action+" starting", rec.Replicas); err != nil {
		return err
	}
	d.notify()
	d.publish(ctx, events.Event{Type: events.DeploymentStarted, Scope: scope,
		Message: fmt.Sprintf("%s %s revision %d (%s) to %s", run.Action, svc.Name, rec.Revision, run.Image, t.env.Name)})
	if d.cfg.OnApply != nil {
		d.cfg.OnApply(rec.ID)
	}
	res, err := d.execute(ctx, rec, run, svc, t, scope)
	status, msg := res.Phase, res.Message
	switch {
	case err != nil && errors.Is(context.Cause(ctx), jobs.ErrCancelRequested):
		status, msg = capsule.DeploymentCancelled, "cancelled while "+run.Action+"ing: the cluster keeps what was applied until then"
	case errors.Is(context.Cause(ctx), jobs.ErrLeaseLost):
		return context.Cause(ctx) // another runner holds the job now and writes the outcome
	case err != nil:
		status, msg = capsule.DeploymentFailed, err.Error()
	}
	if status == "" {
		status = capsule.DeploymentFailed
	}
	return d.finish(ctx, rec, &scope, status, msg, capsule.Replicas{Desired: res.Desired, Running: res.Running, Ready: res.Ready})
}

// execute renders (or reads the kept objects) and runs the engine.
func (d *Deployer) execute(ctx context.Context, rec *capsule.Deployment, run *sqlstore.DeployRun, svc *capsule.Service, t *target, scope events.Scope) (deploy.Result, error) {
	fail := func(err error) (deploy.Result, error) {
		return deploy.Result{Phase: deploy.PhaseFailed, Message: err.Error()}, err
	}
	rc, err := d.restConfig(ctx, t.cluster)
	if err != nil {
		return fail(fmt.Errorf("opening the credential of cluster %s: %w", t.cluster.Name, err))
	}
	eng, err := deploy.New(rc, deploy.Options{})
	if err != nil {
		return fail(err)
	}
	report := d.reporter(ctx, rec, scope)
	ns := run.Namespace
	switch run.Action {
	case ActionScale:
		return eng.Scale(ctx, ns, svc.Name, run.Replicas, d.cfg.ProgressDeadline, report)
	case ActionRollback:
		objs, err := decodeObjects(run.Objects)
		if err != nil {
			return fail(err)
		}
		req := deploy.Request{Namespace: ns, Service: svc.Name, Revision: rec.Revision, Image: run.Image, Objects: objs,
			Strategy: deploy.Strategy{Type: run.Strategy}, ProgressDeadline: d.cfg.ProgressDeadline}
		return eng.Rollback(ctx, req, report)
	}
	rev, err := d.cfg.Store.FindServiceRevision(ctx, svc.ID, run.ConfigRevision)
	if err != nil {
		return fail(fmt.Errorf("reading configuration revision %d of service %s: %w", run.ConfigRevision, svc.Name, err))
	}
	rendered, err := Render(svc.Name, t.env.Name, ns, t.project.Slug, previewHost(rev, t.env, svc.Name), run.Image, run.Strategy, run.Replicas)
	if err != nil {
		return fail(fmt.Errorf("rendering service %s: %w", svc.Name, err))
	}
	objs, err := deploy.FromRendered(rendered)
	if err != nil {
		return fail(err)
	}
	kept, err := json.Marshal(objs)
	if err != nil {
		return fail(err)
	}
	if err := d.cfg.Store.SetDeployRunObjects(ctx, rec.ID, ns, kept); err != nil {
		return fail(err)
	}
	req := deploy.Request{Namespace: ns, Service: svc.Name, Revision: rec.Revision, Image: run.Image, Objects: objs,
		Strategy: deploy.Strategy{Type: run.Strategy}, ProgressDeadline: d.cfg.ProgressDeadline}
	return eng.Deploy(ctx, req, report)
}

// previewHost is rev with a pull-request environment's host as the Ingress
// host of a public service: the same revision answers on its own domain in
// staging and on pr-N's host in the preview.
func previewHost(rev *capsule.ServiceRevision, env *capsule.Environment, service string) *capsule.ServiceRevision {
	if env.Preview == nil || env.Preview.Host == "" || !rev.Config.Networking.Public {
		return rev
	}
	r := *rev
	r.Config.Networking.Domains = []string{strings.ReplaceAll(env.Preview.Host, "{service}", service)}
	return &r
}

func decodeObjects(b []byte) ([]*unstructured.Unstructured, error) {
	var raw []map[string]any
	if err := json.Unmarshal(b, &raw); err != nil {
		return nil, fmt.Errorf("reading the kept objects of the release: %w", err)
	}
	out := make([]*unstructured.Unstructured, len(raw))
	for i, m := range raw {
		out[i] = &unstructured.Unstructured{Object: m}
	}
	return out, nil
}

// reporter writes each progress report to the record and the events hub.
// A report equal to the previous one (the engine reports on every watch
// event, many of which change nothing it counts) writes nothing. A write
// that fails is not fatal: the final write says how it ended.
func (d *Deployer) reporter(ctx context.Context, rec *capsule.Deployment, scope events.Scope) func(deploy.Progress) {
	var (
		mu   sync.Mutex
		last *deploy.Progress
	)
	return func(p deploy.Progress) {
		if ctx.Err() != nil {
			return
		}
		mu.Lock()
		same := last != nil && *last == p
		last = &p
		mu.Unlock()
		if same {
			return
		}
		msg := p.Phase
		if p.Message != "" {
			msg = p.Phase + ": " + p.Message
		}
		_, _ = d.cfg.Store.UpdateDeploymentProgress(ctx, rec.ID, capsule.DeploymentDeploying, msg,
			capsule.Replicas{Desired: p.Desired, Running: p.Running, Ready: p.Ready})
		d.notify()
		d.publish(ctx, events.Progress(scope, p.Percent, msg))
	}
}

// finish writes the final status and publishes completed or failed. It
// writes even when the job's context ended (a cancel), so the record
// never stays deploying.
func (d *Deployer) finish(ctx context.Context, rec *capsule.Deployment, scope *events.Scope, status, msg string, r capsule.Replicas) error {
	wctx := context.WithoutCancel(ctx)
	if _, err := d.cfg.Store.UpdateDeploymentProgress(wctx, rec.ID, status, msg, r); err != nil {
		return err
	}
	d.notify()
	if scope != nil {
		typ := events.DeploymentCompleted
		if status != capsule.DeploymentRunning {
			typ = events.DeploymentFailed
		}
		d.publish(wctx, events.Event{Type: typ, Scope: *scope, Message: status + ": " + msg})
	}
	return nil
}

func (d *Deployer) publish(ctx context.Context, e events.Event) {
	if d.cfg.Events != nil {
		_ = d.cfg.Events.Publish(ctx, e)
	}
}

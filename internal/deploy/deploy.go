package deploy

import (
	"context"
	"errors"
	"fmt"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// run is one deploy in progress.
type run struct {
	e        *Engine
	req      *Request
	objs     []*unstructured.Unstructured
	strategy string
	w        *watcher
	report   func(Progress)
	res      *Result
	rel      *release // the record saved when the rollout succeeds
	// direct skips canary steps: a rollback returns to a revision that
	// already ran, as fast as a rolling update.
	direct bool
	// gens are the generations of the objects applied so far, so that a
	// rollout is judged only once the watch has seen them.
	gens map[string]int64
}

// Deploy puts req's objects on the cluster with its strategy and follows
// the rollout to its end, calling report on every change it sees.
//
// The Result always says what was applied and pruned. A rollout that
// fails (pods never Ready, crashing, unschedulable, refused by a quota,
// the canary's analysis) is not an error: the Result's phase is failed, or
// rolled_back when the previous revision was restored, and its message
// names the cause. The error is for a deploy that could not be carried out
// (a bad request, a field owned by another manager, the API server
// unreachable); the Result's phase is then failed with the same message.
func (e *Engine) Deploy(ctx context.Context, req Request, report func(Progress)) (Result, error) {
	return e.deploy(ctx, &req, report, true)
}

func (e *Engine) deploy(ctx context.Context, req *Request, report func(Progress), mayRollBack bool) (Result, error) {
	if report == nil {
		report = func(Progress) {}
	}
	res := Result{Revision: req.Revision}
	fail := func(err error) (Result, error) {
		res.Phase, res.Message = PhaseFailed, err.Error()
		report(Progress{Phase: PhaseFailed, Message: res.Message, Desired: res.Desired, Running: res.Running, Ready: res.Ready})
		return res, err
	}
	if req.ProgressDeadline <= 0 {
		req.ProgressDeadline = DefaultProgressDeadline
	}
	objs, err := prepare(req)
	if err != nil {
		return fail(err)
	}
	strategy, err := resolveStrategy(req, objs)
	if err != nil {
		return fail(err)
	}
	prev := req.Previous
	if prev == nil && mayRollBack && !req.NoRollback {
		rel, err := e.loadRelease(ctx, req.Namespace, req.Service)
		if err != nil {
			return fail(err)
		}
		if rel != nil && rel.Revision != req.Revision {
			prev = rel.request(req.Namespace, req.Service)
		}
	}
	w, err := e.watch(ctx, req.Namespace)
	if err != nil {
		return fail(err)
	}
	defer w.stop()
	r := &run{e: e, req: req, objs: objs, strategy: strategy, w: w, report: report, res: &res,
		rel: &release{Revision: req.Revision, Image: req.Image, Strategy: strategy}, direct: !mayRollBack, gens: map[string]int64{}}
	report(Progress{Phase: PhaseApplying, Message: fmt.Sprintf("applying %d objects of %s revision %d", len(objs), req.Service, req.Revision)})
	if req.Migration != nil {
		if err := r.migrate(ctx); err != nil {
			return r.failed(ctx, err, nil, fail)
		}
	}
	switch strategy {
	case StrategyBlueGreen:
		err = r.blueGreen(ctx)
	case StrategyCanary:
		err = r.canary(ctx)
	default:
		err = r.rolling(ctx)
	}
	if err != nil {
		if !mayRollBack || req.NoRollback {
			prev = nil
		}
		return r.failed(ctx, err, prev, fail)
	}
	if r.rel.Objects == nil {
		r.rel.Objects = objectMaps(r.objs)
	}
	if err := e.saveRelease(ctx, req.Namespace, req.Service, r.rel); err != nil {
		return fail(err)
	}
	res.Phase = PhaseRunning
	res.Message = fmt.Sprintf("revision %d of %s is running: %d of %d pods ready", req.Revision, req.Service, res.Ready, res.Desired)
	if len(workloadsOf(r.objs)) == 0 {
		res.Message = fmt.Sprintf("revision %d of %s is applied; it has no long-running pods to wait for (a CronJob runs on its schedule)", req.Revision, req.Service)
	}
	report(Progress{Phase: PhaseRunning, Percent: 100, Message: res.Message, Desired: res.Desired, Running: res.Running, Ready: res.Ready})
	return res, nil
}

// rolling applies everything, prunes what left the set, and follows the
// workloads' own rolling update or recreate.
func (r *run) rolling(ctx context.Context) error {
	if err := r.apply(ctx, r.objs); err != nil {
		return err
	}
	if err := r.prune(ctx, r.objs); err != nil {
		return err
	}
	return r.follow(ctx, workloadsOf(r.objs), PhaseRollingOut)
}

func (r *run) apply(ctx context.Context, objs []*unstructured.Unstructured) error {
	applied, err := r.e.applyAll(ctx, objs, r.req.Force, r.gens)
	r.res.Applied = append(r.res.Applied, applied...)
	return err
}

func (r *run) prune(ctx context.Context, keep []*unstructured.Unstructured, also ...string) error {
	pruned, err := r.e.prune(ctx, r.req.Namespace, r.req.Service, keep, also...)
	r.res.Pruned = append(r.res.Pruned, pruned...)
	return err
}

func (r *run) follow(ctx context.Context, targets []target, phase string) error {
	for i := range targets {
		targets[i].gen = r.gens[targets[i].kind+"/"+targets[i].name]
	}
	st, err := r.e.follow(ctx, r.w, r.req.Namespace, targets, r.req.ProgressDeadline, phase, r.report)
	r.res.Desired, r.res.Running, r.res.Ready = st.desired, st.running, st.ready
	return err
}

// failed ends a deploy whose rollout failed: with prev it restores that
// revision and the phase is rolled_back; otherwise the phase is failed.
// Errors that are not a rollout's failure end the deploy as failed with
// the error.
func (r *run) failed(ctx context.Context, err error, prev *Request, fail func(error) (Result, error)) (Result, error) {
	var re *RolloutError
	if !errors.As(err, &re) {
		return fail(err)
	}
	msg := fmt.Sprintf("revision %d of %s failed: %s", r.req.Revision, r.req.Service, re.Message)
	if re.undone != "" {
		r.res.Phase, r.res.Message = PhaseRolledBack, msg+"; "+re.undone
		if re.Reason == "MigrationFailed" {
			// Nothing of the revision ran: it failed, nothing was rolled back.
			r.res.Phase = PhaseFailed
		} else if prev != nil {
			r.res.RolledBackTo = prev.Revision
		}
		r.report(Progress{Phase: PhaseRolledBack, Message: r.res.Message, Desired: r.res.Desired, Running: r.res.Running, Ready: r.res.Ready})
		return *r.res, nil
	}
	if prev == nil {
		r.res.Phase, r.res.Message = PhaseFailed, msg
		r.report(Progress{Phase: PhaseFailed, Message: msg, Desired: r.res.Desired, Running: r.res.Running, Ready: r.res.Ready})
		return *r.res, nil
	}
	r.report(Progress{Phase: PhaseRollingBack, Message: msg + fmt.Sprintf("; rolling back to revision %d", prev.Revision)})
	back := *prev
	back.Force = back.Force || r.req.Force
	if back.ProgressDeadline <= 0 {
		back.ProgressDeadline = r.req.ProgressDeadline
	}
	br, berr := r.e.deploy(ctx, &back, r.report, false)
	r.res.Applied = append(r.res.Applied, br.Applied...)
	r.res.Pruned = append(r.res.Pruned, br.Pruned...)
	if berr != nil || br.Phase != PhaseRunning {
		r.res.Phase = PhaseFailed
		r.res.Message = msg + fmt.Sprintf("; rolling back to revision %d failed too: %s", prev.Revision, br.Message)
		r.report(Progress{Phase: PhaseFailed, Message: r.res.Message})
		return *r.res, nil
	}
	r.res.Phase, r.res.RolledBackTo = PhaseRolledBack, prev.Revision
	r.res.Desired, r.res.Running, r.res.Ready = br.Desired, br.Running, br.Ready
	r.res.Color, r.res.IdleColor = br.Color, ""
	r.res.Message = msg + fmt.Sprintf("; rolled back to revision %d", prev.Revision)
	r.report(Progress{Phase: PhaseRolledBack, Percent: 100, Message: r.res.Message, Desired: br.Desired, Running: br.Running, Ready: br.Ready})
	return *r.res, nil
}

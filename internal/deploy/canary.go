package deploy

import (
	"context"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/render"
)

// canary runs the new pod template as a separate Deployment <stable>-canary
// (track canary) next to the untouched stable one; the Service selects
// both tracks, so the canary's share of traffic is its share of the
// pods. Each step but the last sizes the canary to that percentage of the
// stable count (at least one pod), waits until its pods are Ready, pauses,
// then checks pod health and, with Prometheus, the metrics. A failed step
// removes the canary: the stable track never changed. The last step (100)
// rolls the stable Deployment to the new template and removes the canary.
// With an HTTPRoute in the set the traffic follows the step's weight
// instead (routeSplit).
// A service's first deploy has nothing to compare with, and a rollback
// returns to a revision that already ran: both roll out directly.
func (r *run) canary(ctx context.Context) error {
	ns := r.req.Namespace
	var stable *unstructured.Unstructured
	var objs []*unstructured.Unstructured
	for _, o := range r.objs {
		switch {
		case o.GetKind() == "Deployment" && o.GetLabels()[render.LabelTrack] == "canary":
			continue // render's own canary; the engine sizes its own
		case o.GetKind() == "Deployment" && o.GetLabels()[render.LabelTrack] == "stable":
			stable = o
		}
		objs = append(objs, o)
	}
	r.objs = objs
	if stable == nil {
		return fmt.Errorf("deploy: canary objects of %s need a Deployment with %s=stable", r.req.Service, render.LabelTrack)
	}
	steps, err := canarySteps(r.req.Strategy.Steps)
	if err != nil {
		return err
	}
	live, err := r.e.dyn.Resource(gvrDeployments).Namespace(ns).Get(ctx, stable.GetName(), metav1.GetOptions{})
	if apierrors.IsNotFound(err) || (err == nil && r.direct) {
		return r.rolling(ctx)
	}
	if err != nil {
		return fmt.Errorf("deploy: read the stable Deployment %s: %w", stable.GetName(), err)
	}
	desired, ok, _ := unstructured.NestedInt64(stable.Object, "spec", "replicas")
	if !ok { // an autoscaler owns the count: follow what runs now
		desired, _, _ = unstructured.NestedInt64(live.Object, "spec", "replicas")
	}
	var rest []*unstructured.Unstructured
	for _, o := range objs {
		if o != stable {
			rest = append(rest, o)
		}
	}
	if err := r.apply(ctx, rest); err != nil {
		return err
	}
	split := splitByRoutes(objs)
	if split != nil {
		if err := r.apply(ctx, split.backends); err != nil {
			return err
		}
	}
	can := canaryOf(stable)
	abort := func(err error) error {
		if rerr := r.restoreRoutes(ctx, split); rerr != nil {
			return fmt.Errorf("deploy: %v; sending all traffic back to the stable track failed: %w", err, rerr)
		}
		return r.abandon(ctx, err, can.GetName(), "the stable track kept serving")
	}
	for i, pct := range steps[:len(steps)-1] {
		n := max(1, (desired*int64(pct)+99)/100)
		_ = unstructured.SetNestedField(can.Object, n, "spec", "replicas")
		if err := r.apply(ctx, []*unstructured.Unstructured{can}); err != nil {
			return err
		}
		from := 0
		if i > 0 {
			from = steps[i-1]
		}
		if err := r.followStep(ctx, can.GetName(), from, pct); err != nil {
			return abort(err)
		}
		share := fmt.Sprintf("%d%% of the traffic by pods", n*100/(n+desired))
		if split != nil {
			if err := r.apply(ctx, split.weighted(pct)); err != nil {
				return abort(err)
			}
			share = fmt.Sprintf("%d%% of the traffic by HTTPRoute weight", pct)
		}
		r.report(Progress{Phase: PhaseAnalyzing, Percent: pct, Desired: int(n), Running: r.res.Running, Ready: r.res.Ready,
			Message: fmt.Sprintf("step %d of %d: %d canary pods next to %d stable (%s)", i+1, len(steps), n, desired, share)})
		if err := r.pause(ctx); err != nil {
			return err
		}
		if err := r.checkCanary(ctx, can.GetName()); err != nil {
			return abort(err)
		}
	}
	if err := r.apply(ctx, []*unstructured.Unstructured{stable}); err != nil {
		return err
	}
	last := 0
	if len(steps) > 1 {
		last = steps[len(steps)-2]
	}
	if err := r.followStep(ctx, stable.GetName(), last, 100); err != nil {
		_ = abort(err)
		return err
	}
	if split != nil {
		// Back to the rendered routes; prune removes the per-track Services.
		if err := r.apply(ctx, split.routes); err != nil {
			return err
		}
	}
	return r.prune(ctx, objs)
}

// followStep follows one Deployment during the step from one percentage
// to the next: the deploy's percentage climbs with the steps, the
// Deployment's own readiness filling the stretch between them.
func (r *run) followStep(ctx context.Context, name string, from, to int) error {
	report := r.report
	defer func() { r.report = report }()
	r.report = func(p Progress) {
		p.Percent = from + (to-from)*p.Percent/100
		report(p)
	}
	return r.follow(ctx, []target{{kind: "Deployment", name: name}}, PhaseRollingOut)
}

// checkCanary is the analysis between steps: every canary pod still
// Ready, then the metrics.
func (r *run) checkCanary(ctx context.Context, name string) error {
	st := deploymentStatus(r.w, r.req.Namespace, name, r.gens["Deployment/"+name])
	if st.ready < st.desired {
		return &RolloutError{Reason: "AnalysisFailed", Message: fmt.Sprintf("canary analysis: %d of %d canary pods are ready: %s", st.ready, st.desired, cause(st.pods, r.w.events(), st.owners))}
	}
	return r.e.analyze(ctx, r.req.Namespace, name, r.req.Strategy.Analysis)
}

func (r *run) pause(ctx context.Context) error {
	d := r.req.Strategy.Pause
	if d == 0 {
		d = DefaultCanaryPause
	}
	if d < 0 {
		return nil
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

// canaryOf is the canary Deployment of stable: same pod template, track
// canary, its own name and selector.
func canaryOf(stable *unstructured.Unstructured) *unstructured.Unstructured {
	c := stable.DeepCopy()
	c.SetName(stable.GetName() + "-canary")
	setLabel(c, render.LabelTrack, "canary")
	_ = unstructured.SetNestedField(c.Object, "canary", "spec", "selector", "matchLabels", render.LabelTrack)
	_ = unstructured.SetNestedField(c.Object, "canary", "spec", "template", "metadata", "labels", render.LabelTrack)
	return c
}

// canarySteps checks the steps: rising percentages in 1..100 ending at 100.
func canarySteps(steps []int) ([]int, error) {
	if len(steps) == 0 {
		return DefaultCanarySteps, nil
	}
	for i, s := range steps {
		if s < 1 || s > 100 || (i > 0 && s <= steps[i-1]) {
			return nil, fmt.Errorf("deploy: canary steps %v: each must be above the one before, from 1 to 100", steps)
		}
	}
	if steps[len(steps)-1] != 100 {
		return nil, fmt.Errorf("deploy: canary steps %v: the last step must be 100", steps)
	}
	return steps, nil
}

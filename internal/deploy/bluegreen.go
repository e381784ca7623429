package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/usecapsule/capsule/internal/render"
)

// Blue-green uses render's slots: the Deployment <base>-<colour> (and its
// autoscaler and disruption budget of the same name) carries the label
// capsule.dev/slot; the Service <service> selects the live colour and
// <service>-preview the other one. The engine, not the caller, picks the
// colour: the one that is not live.

func otherColor(c string) string {
	if c == "blue" {
		return "green"
	}
	return "blue"
}

// blueGreen deploys into the idle colour, waits until every one of its
// pods is Ready, then switches the Service's selector to it. The old
// colour stays (for SwitchBack) until RetireIdle, or is removed at once
// when KeepOld is negative. A failed rollout never touched the live
// colour: the new colour is removed and the live one keeps serving.
func (r *run) blueGreen(ctx context.Context) error {
	ns, svc := r.req.Namespace, r.req.Service
	wl := findLabelled(r.objs, "Deployment", render.LabelSlot)
	if wl == nil || find(r.objs, "Service", svc) == nil {
		return fmt.Errorf("deploy: blue-green objects of %s need a Deployment with the %s label and a Service %s", svc, render.LabelSlot, svc)
	}
	renderedColor := wl.GetLabels()[render.LabelSlot]
	base := strings.TrimSuffix(wl.GetName(), "-"+renderedColor)
	live, err := r.e.liveColor(ctx, ns, svc)
	if err != nil {
		return err
	}
	color := renderedColor
	if live != "" {
		color = otherColor(live)
	}
	recolor(r.objs, base, renderedColor, color)
	serving := color
	if live != "" {
		serving = live
	}
	setSelectors(r.objs, svc, serving)
	if err := r.apply(ctx, r.objs); err != nil {
		return err
	}
	newWL := target{kind: "Deployment", name: base + "-" + color}
	if err := r.follow(ctx, []target{newWL}, PhaseRollingOut); err != nil {
		if live != "" {
			return r.abandon(ctx, err, newWL.name, fmt.Sprintf("the %s colour kept serving", live))
		}
		return err
	}
	r.res.Color = color
	if live != "" {
		r.report(Progress{Phase: PhaseSwitching, Percent: 100, Desired: r.res.Desired, Running: r.res.Running, Ready: r.res.Ready,
			Message: fmt.Sprintf("every %s pod is ready; switching Service %s from %s to %s", color, svc, live, color)})
		setSelectors(r.objs, svc, color)
		for _, o := range r.objs {
			if o.GetKind() == "Service" && (o.GetName() == svc || o.GetName() == svc+"-preview") {
				if err := r.apply(ctx, []*unstructured.Unstructured{o}); err != nil {
					return err
				}
			}
		}
	}
	r.rel.Color = color
	if prev, err := r.e.loadRelease(ctx, ns, svc); err == nil && prev != nil && live != "" {
		prev.Idle = nil
		r.rel.Idle = prev
	}
	var idle []string
	if live != "" {
		old := base + "-" + live
		idle = []string{"Deployment/" + old, "HorizontalPodAutoscaler/" + old, "PodDisruptionBudget/" + old}
		switch {
		case r.req.Strategy.KeepOld < 0:
			r.rel.Idle = nil
		default:
			keep := r.req.Strategy.KeepOld
			if keep == 0 {
				keep = DefaultKeepOld
			}
			r.res.IdleColor, r.res.RetireAfter = live, r.e.opts.Now().Add(keep)
			r.rel.IdleColor, r.rel.RetireAfter = live, r.res.RetireAfter
		}
	}
	if r.rel.Idle == nil {
		idle = nil
	}
	return r.prune(ctx, r.objs, idle...)
}

// abandon removes a new colour or a canary that failed and marks the
// failure as already undone: what served before still serves.
// The deletion is in the foreground and waited for (up to a minute), so
// that when the deploy ends no pod of the failed revision takes traffic.
func (r *run) abandon(ctx context.Context, cause error, deployment, serving string) error {
	policy := metav1.DeletePropagationForeground
	err := r.e.dyn.Resource(gvrDeployments).Namespace(r.req.Namespace).Delete(ctx, deployment, metav1.DeleteOptions{PropagationPolicy: &policy})
	if err != nil && !apierrors.IsNotFound(err) {
		return fmt.Errorf("deploy: remove the failed Deployment %s: %w (after: %v)", deployment, err, cause)
	}
	r.waitGone(ctx, deployment, time.Minute)
	// A new colour's autoscaler and disruption budget share its name.
	for _, gvr := range []schema.GroupVersionResource{gvrHPAs, gvrPDBs} {
		err := r.e.dyn.Resource(gvr).Namespace(r.req.Namespace).Delete(ctx, deployment, metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deploy: remove the failed %s %s: %w (after: %v)", gvr.Resource, deployment, err, cause)
		}
	}
	re, ok := cause.(*RolloutError)
	if !ok {
		return cause
	}
	return &RolloutError{Reason: re.Reason, Message: re.Message, undone: "removed Deployment " + deployment + "; " + serving}
}

// waitGone waits until the watch no longer sees the Deployment, which a
// foreground deletion removes last, after its ReplicaSets and pods.
func (r *run) waitGone(ctx context.Context, deployment string, limit time.Duration) {
	t := time.NewTimer(limit)
	defer t.Stop()
	for {
		if _, ok := r.w.deployment(r.req.Namespace, deployment); !ok {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-t.C:
			return
		case <-r.w.changed:
		}
	}
}

// liveColor is the colour the Service <service> selects now, "" when the
// Service does not exist or selects no colour.
func (e *Engine) liveColor(ctx context.Context, ns, service string) (string, error) {
	s, err := e.dyn.Resource(gvrServices).Namespace(ns).Get(ctx, service, metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return "", nil
	}
	if err != nil {
		return "", fmt.Errorf("deploy: read Service %s: %w", service, err)
	}
	c, _, _ := unstructured.NestedString(s.Object, "spec", "selector", render.LabelSlot)
	return c, nil
}

// recolor renames the objects of colour from to colour to and sets the
// slot label in their labels, selectors and pod templates.
func recolor(objs []*unstructured.Unstructured, base, from, to string) {
	for _, o := range objs {
		if o.GetName() == base+"-"+from {
			o.SetName(base + "-" + to)
		}
		if _, ok := o.GetLabels()[render.LabelSlot]; ok {
			setLabel(o, render.LabelSlot, to)
		}
		for _, path := range [][]string{{"spec", "selector", "matchLabels"}, {"spec", "template", "metadata", "labels"}} {
			if _, ok, _ := unstructured.NestedString(o.Object, append(path, render.LabelSlot)...); ok {
				_ = unstructured.SetNestedField(o.Object, to, append(path, render.LabelSlot)...)
			}
		}
		if n, _, _ := unstructured.NestedString(o.Object, "spec", "scaleTargetRef", "name"); n == base+"-"+from {
			_ = unstructured.SetNestedField(o.Object, base+"-"+to, "spec", "scaleTargetRef", "name")
		}
	}
}

// setSelectors points the Service <service> at colour live and the
// preview Service at the other colour.
func setSelectors(objs []*unstructured.Unstructured, service, live string) {
	for _, o := range objs {
		switch o.GetName() {
		case service:
			if o.GetKind() == "Service" {
				_ = unstructured.SetNestedField(o.Object, live, "spec", "selector", render.LabelSlot)
			}
		case service + "-preview":
			if o.GetKind() == "Service" {
				_ = unstructured.SetNestedField(o.Object, otherColor(live), "spec", "selector", render.LabelSlot)
			}
		}
	}
}

func findLabelled(objs []*unstructured.Unstructured, kind, label string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && o.GetLabels()[label] != "" {
			return o
		}
	}
	return nil
}

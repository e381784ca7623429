package deploy

import (
	"context"
	"fmt"
	"time"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/render"
)

// MaxReplicas bounds Scale; more is surely a typo.
const MaxReplicas = 1000

// Scale sets the replica count of the service's running revision and waits
// until the pods are Ready (or deadline passes; zero means
// DefaultProgressDeadline). It re-applies the workload as it was last
// deployed with only the count changed, under Capsule's field manager, so
// the next deploy does not conflict with the scale; the next deploy's
// rendered count wins. A service whose count an autoscaler owns is refused:
// change its minimum and maximum instead. Blue-green scales the live
// colour, canary the stable track.
func (e *Engine) Scale(ctx context.Context, ns, service string, replicas int, deadline time.Duration, report func(Progress)) (Result, error) {
	fail := func(err error) (Result, error) { return Result{Phase: PhaseFailed, Message: err.Error()}, err }
	if replicas < 0 || replicas > MaxReplicas {
		return fail(fmt.Errorf("deploy: %d replicas for %s: want 0 to %d", replicas, service, MaxReplicas))
	}
	if report == nil {
		report = func(Progress) {}
	}
	if deadline <= 0 {
		deadline = DefaultProgressDeadline
	}
	rel, err := e.loadRelease(ctx, ns, service)
	if err != nil {
		return fail(err)
	}
	if rel == nil {
		return fail(fmt.Errorf("deploy: service %s has no running revision in %s to scale", service, ns))
	}
	req := rel.request(ns, service)
	wl := scaledWorkload(req.Objects, rel)
	if wl == nil {
		return fail(fmt.Errorf("deploy: revision %d of %s has no Deployment or StatefulSet to scale", rel.Revision, service))
	}
	for _, o := range req.Objects {
		kind, _, _ := unstructured.NestedString(o.Object, "spec", "scaleTargetRef", "kind")
		name, _, _ := unstructured.NestedString(o.Object, "spec", "scaleTargetRef", "name")
		if o.GetKind() == "HorizontalPodAutoscaler" && kind == wl.GetKind() && name == wl.GetName() {
			return fail(fmt.Errorf("deploy: %s %s is scaled by HorizontalPodAutoscaler %s; change the service's minReplicas and maxReplicas instead", wl.GetKind(), wl.GetName(), o.GetName()))
		}
	}
	if err := unstructured.SetNestedField(wl.Object, int64(replicas), "spec", "replicas"); err != nil {
		return fail(err)
	}
	wl.SetNamespace(ns)
	res := Result{Revision: rel.Revision, Color: rel.Color}
	got, err := e.applyOne(ctx, wl, false, false)
	if err != nil {
		return fail(err)
	}
	res.Applied = []ObjectRef{refOf(wl)}
	w, err := e.watch(ctx, ns)
	if err != nil {
		return fail(err)
	}
	defer w.stop()
	st, err := e.follow(ctx, w, ns, []target{{kind: wl.GetKind(), name: wl.GetName(), gen: got.GetGeneration()}}, deadline, PhaseRollingOut, report)
	res.Desired, res.Running, res.Ready = st.desired, st.running, st.ready
	if err != nil {
		res.Phase, res.Message = PhaseFailed, fmt.Sprintf("scaling %s to %d: %v", service, replicas, err)
		return res, nil
	}
	rel.Objects = objectMaps(req.Objects)
	if err := e.saveRelease(ctx, ns, service, rel); err != nil {
		return fail(err)
	}
	res.Phase = PhaseRunning
	res.Message = fmt.Sprintf("%s scaled to %d: %d of %d pods ready", service, replicas, st.ready, st.desired)
	report(Progress{Phase: PhaseRunning, Percent: 100, Message: res.Message, Desired: st.desired, Running: st.running, Ready: st.ready})
	return res, nil
}

func scaledWorkload(objs []*unstructured.Unstructured, rel *release) *unstructured.Unstructured {
	for _, o := range objs {
		l := o.GetLabels()
		switch {
		case o.GetKind() == "StatefulSet":
			return o
		case o.GetKind() != "Deployment":
		case rel.Strategy == StrategyBlueGreen && l[render.LabelSlot] != rel.Color:
		case rel.Strategy == StrategyCanary && l[render.LabelTrack] == "canary":
		default:
			return o
		}
	}
	return nil
}

package deploy

import (
	"context"
	"fmt"
	"strings"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/render"
)

// SwitchBack is blue-green's instant rollback: while the previous colour
// is kept (see Result.RetireAfter), the Service's selector goes back to
// it. No pod starts or stops. The previous colour's pods must all be Ready.
// Switching back again undoes the switch.
func (e *Engine) SwitchBack(ctx context.Context, ns, service string) (Result, error) {
	rel, err := e.loadRelease(ctx, ns, service)
	if err != nil {
		return Result{Phase: PhaseFailed, Message: err.Error()}, err
	}
	if rel == nil || rel.Idle == nil || rel.IdleColor == "" {
		err := fmt.Errorf("deploy: service %s in %s has no previous colour to switch back to: it was retired, or the last deploy was not blue-green", service, ns)
		return Result{Phase: PhaseFailed, Message: err.Error()}, err
	}
	idle := rel.Idle.request(ns, service)
	wl := findLabelled(idle.Objects, "Deployment", render.LabelSlot)
	if wl == nil {
		err := fmt.Errorf("deploy: the kept release of %s has no colour Deployment", service)
		return Result{Phase: PhaseFailed, Message: err.Error()}, err
	}
	d, err := e.dyn.Resource(gvrDeployments).Namespace(ns).Get(ctx, wl.GetName(), metav1.GetOptions{})
	if err != nil {
		err = fmt.Errorf("deploy: the %s colour of %s (Deployment %s) is gone: %w", rel.IdleColor, service, wl.GetName(), err)
		return Result{Phase: PhaseFailed, Message: err.Error()}, err
	}
	want, _, _ := unstructured.NestedInt64(d.Object, "spec", "replicas")
	ready, _, _ := unstructured.NestedInt64(d.Object, "status", "readyReplicas")
	if ready < want {
		err := fmt.Errorf("deploy: the %s colour of %s has %d of %d pods ready; switching to it would drop traffic", rel.IdleColor, service, ready, want)
		return Result{Phase: PhaseFailed, Message: err.Error()}, err
	}
	res := Result{Revision: rel.Idle.Revision, Color: rel.IdleColor, IdleColor: rel.Color, RetireAfter: rel.RetireAfter,
		Desired: int(want), Running: int(want), Ready: int(ready)}
	setSelectors(idle.Objects, service, rel.IdleColor)
	for _, o := range idle.Objects {
		if o.GetKind() == "Service" && (o.GetName() == service || o.GetName() == service+"-preview") {
			if _, err := e.applyOne(ctx, o, false, false); err != nil {
				res.Phase, res.Message = PhaseFailed, err.Error()
				return res, err
			}
			res.Applied = append(res.Applied, refOf(o))
		}
	}
	current := *rel
	current.Idle, current.IdleColor, current.RetireAfter = nil, "", rel.RetireAfter
	back := *rel.Idle
	back.Idle, back.IdleColor, back.RetireAfter = &current, rel.Color, rel.RetireAfter
	back.Objects = objectMaps(idle.Objects)
	if err := e.saveRelease(ctx, ns, service, &back); err != nil {
		res.Phase, res.Message = PhaseFailed, err.Error()
		return res, err
	}
	res.Phase = PhaseRunning
	res.Message = fmt.Sprintf("Service %s switched back to the %s colour (revision %d); the %s colour (revision %d) is kept", service, rel.IdleColor, rel.Idle.Revision, rel.Color, rel.Revision)
	return res, nil
}

// colorOwned are the kinds render names <base>-<colour>.
var colorOwned = map[string]bool{"Deployment": true, "HorizontalPodAutoscaler": true, "PodDisruptionBudget": true}

// RetireIdle removes blue-green's previous colour (its Deployment,
// autoscaler and disruption budget), which ends the chance to switch back.
// The caller calls it once Result.RetireAfter has passed; retiring when
// nothing is kept does nothing.
func (e *Engine) RetireIdle(ctx context.Context, ns, service string) ([]ObjectRef, error) {
	rel, err := e.loadRelease(ctx, ns, service)
	if err != nil || rel == nil || rel.Idle == nil || rel.IdleColor == "" {
		return nil, err
	}
	var removed []ObjectRef
	for _, o := range rel.Idle.request(ns, service).Objects {
		// The colour's autoscaler and disruption budget carry its name,
		// not its slot label.
		if !colorOwned[o.GetKind()] || !strings.HasSuffix(o.GetName(), "-"+rel.IdleColor) {
			continue
		}
		o.SetNamespace(ns)
		r, err := e.resource(ctx, o)
		if err != nil {
			return removed, err
		}
		policy := metav1.DeletePropagationBackground
		if err := r.Delete(ctx, o.GetName(), metav1.DeleteOptions{PropagationPolicy: &policy}); err != nil && !apierrors.IsNotFound(err) {
			return removed, fmt.Errorf("deploy: retire %s: %w", refOf(o), err)
		}
		removed = append(removed, refOf(o))
	}
	rel.Idle, rel.IdleColor, rel.RetireAfter = nil, "", time.Time{}
	return removed, e.saveRelease(ctx, ns, service, rel)
}

package deploy

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/render"
)

// routeSplit splits a canary's traffic by Gateway API weights instead of
// pod counts: when the rendered set has HTTPRoutes (gateway.networking.k8s.io)
// that send to the service's Service, the engine adds the Services
// <service>-stable and <service>-canary, one per track, and during each
// step rewrites the routes' reference to the Service into these two with
// the step's weights. Afterwards the rendered routes are applied again and
// prune removes the two Services.
type routeSplit struct {
	service  string
	routes   []*unstructured.Unstructured // as rendered
	backends []*unstructured.Unstructured // the per-track Services
}

// splitByRoutes returns the split for objs, nil when no HTTPRoute sends to
// a Service of the set that selects the service's pods.
func splitByRoutes(objs []*unstructured.Unstructured) *routeSplit {
	var s *routeSplit
	for _, o := range objs {
		if o.GetKind() != "HTTPRoute" || o.GroupVersionKind().Group != "gateway.networking.k8s.io" {
			continue
		}
		for _, name := range routeBackends(o) {
			svc := find(objs, "Service", name)
			if svc == nil || (s != nil && s.service != name) {
				continue
			}
			if s == nil {
				s = &routeSplit{service: name, backends: []*unstructured.Unstructured{trackService(svc, "stable"), trackService(svc, "canary")}}
			}
			s.routes = append(s.routes, o)
			break
		}
	}
	return s
}

// routeBackends are the Service names the route's rules send to.
func routeBackends(route *unstructured.Unstructured) []string {
	var names []string
	rules, _, _ := unstructured.NestedSlice(route.Object, "spec", "rules")
	for _, r := range rules {
		refs, _, _ := unstructured.NestedSlice(asMap(r), "backendRefs")
		for _, ref := range refs {
			m := asMap(ref)
			if k, _ := m["kind"].(string); k != "" && k != "Service" {
				continue
			}
			if n, _ := m["name"].(string); n != "" {
				names = append(names, n)
			}
		}
	}
	return names
}

func asMap(v any) map[string]any {
	m, _ := v.(map[string]any)
	return m
}

// trackService is a copy of svc that selects only one track's pods.
func trackService(svc *unstructured.Unstructured, track string) *unstructured.Unstructured {
	c := svc.DeepCopy()
	c.SetName(svc.GetName() + "-" + track)
	unstructured.RemoveNestedField(c.Object, "spec", "clusterIP")
	unstructured.RemoveNestedField(c.Object, "spec", "clusterIPs")
	_ = unstructured.SetNestedField(c.Object, track, "spec", "selector", render.LabelTrack)
	return c
}

// weighted returns the routes with every reference to the service split
// into the stable and canary Services, pct percent to the canary.
func (s *routeSplit) weighted(pct int) []*unstructured.Unstructured {
	out := make([]*unstructured.Unstructured, len(s.routes))
	for i, route := range s.routes {
		c := route.DeepCopy()
		rules, _, _ := unstructured.NestedSlice(c.Object, "spec", "rules")
		for _, r := range rules {
			rm := asMap(r)
			refs, _, _ := unstructured.NestedSlice(rm, "backendRefs")
			var split []any
			for _, ref := range refs {
				m := asMap(ref)
				if n, _ := m["name"].(string); n != s.service {
					split = append(split, ref)
					continue
				}
				for _, b := range []struct {
					suffix string
					weight int64
				}{{"-stable", int64(100 - pct)}, {"-canary", int64(pct)}} {
					ref := runtimeCopy(m)
					ref["name"] = s.service + b.suffix
					ref["weight"] = b.weight
					split = append(split, ref)
				}
			}
			if rm != nil {
				rm["backendRefs"] = split
			}
		}
		_ = unstructured.SetNestedSlice(c.Object, rules, "spec", "rules")
		out[i] = c
	}
	return out
}

func runtimeCopy(m map[string]any) map[string]any {
	return (&unstructured.Unstructured{Object: m}).DeepCopy().Object
}

// restore applies the rendered routes again (all traffic to the service)
// and removes the per-track Services.
func (r *run) restoreRoutes(ctx context.Context, s *routeSplit) error {
	if s == nil {
		return nil
	}
	if err := r.apply(ctx, s.routes); err != nil {
		return err
	}
	for _, b := range s.backends {
		err := r.e.dyn.Resource(gvrServices).Namespace(r.req.Namespace).Delete(ctx, b.GetName(), metav1.DeleteOptions{})
		if err != nil && !apierrors.IsNotFound(err) {
			return fmt.Errorf("deploy: remove Service %s: %w", b.GetName(), err)
		}
	}
	return nil
}

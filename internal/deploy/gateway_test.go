package deploy

import (
	"context"
	"fmt"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/usecapsule/capsule/internal/render"
)

var gvrHTTPRoutes = schema.GroupVersionResource{Group: "gateway.networking.k8s.io", Version: "v1", Resource: "httproutes"}

// installHTTPRoute serves the Gateway API's HTTPRoute on the cluster (its
// spec kept as given), as a cluster with a Gateway controller does.
func installHTTPRoute(t *testing.T, dyn dynamic.Interface, ns string) {
	t.Helper()
	ctx := context.Background()
	crd := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
		"metadata": map[string]any{"name": "httproutes.gateway.networking.k8s.io",
			// As the Gateway API project's own CRDs carry it.
			"annotations": map[string]any{"api-approved.kubernetes.io": "https://github.com/kubernetes-sigs/gateway-api/pull/2466"}},
		"spec": map[string]any{
			"group": "gateway.networking.k8s.io", "scope": "Namespaced",
			"names": map[string]any{"kind": "HTTPRoute", "listKind": "HTTPRouteList", "plural": "httproutes", "singular": "httproute"},
			"versions": []any{map[string]any{"name": "v1", "served": true, "storage": true,
				"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "properties": map[string]any{
					"spec": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}},
		},
	}}
	crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	if _, err := dyn.Resource(crds).Create(ctx, crd, metav1.CreateOptions{}); err != nil && !apierrors.IsAlreadyExists(err) {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		_, err := dyn.Resource(gvrHTTPRoutes).Namespace(ns).List(ctx, metav1.ListOptions{})
		if err == nil {
			return
		}
		if time.Now().After(deadline) {
			t.Fatalf("HTTPRoute is not served: %v", err)
		}
		time.Sleep(100 * time.Millisecond)
	}
}

func httpRoute(service string) *unstructured.Unstructured {
	return &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "gateway.networking.k8s.io/v1", "kind": "HTTPRoute", "metadata": map[string]any{"name": service},
		"spec": map[string]any{
			"parentRefs": []any{map[string]any{"name": "public", "namespace": "gateways"}},
			"rules":      []any{map[string]any{"backendRefs": []any{map[string]any{"name": service, "port": int64(80)}}}},
		},
	}}
}

// backends reads the route's backends as name=weight.
func backends(t *testing.T, dyn dynamic.Interface, ns, name string) string {
	t.Helper()
	route, err := dyn.Resource(gvrHTTPRoutes).Namespace(ns).Get(context.Background(), name, metav1.GetOptions{})
	if err != nil {
		t.Error(err)
		return ""
	}
	out := routeBackends(route)
	rules, _, _ := unstructured.NestedSlice(route.Object, "spec", "rules")
	refs, _, _ := unstructured.NestedSlice(asMap(rules[0]), "backendRefs")
	for i, ref := range refs {
		if w, ok := asMap(ref)["weight"]; ok {
			out[i] = fmt.Sprintf("%s=%v", out[i], w)
		}
	}
	return fmt.Sprint(out)
}

func TestCanarySplitsTrafficByHTTPRouteWeights(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	dyn, err := dynamic.NewForConfig(e.c.Config)
	if err != nil {
		t.Fatal(err)
	}
	installHTTPRoute(t, dyn, e.ns)
	spec := webSpec("shop", 2, "deploy: {strategy: canary}")
	objs := append(rendered(t, e.ns, spec, render.Options{Image: "example/shop:v1"}), httpRoute("shop"))
	res, _ := e.deploy(t, Request{Service: "shop", Revision: 1, Objects: objs})
	wantPhase(t, res, PhaseRunning)

	var seen []string
	req := Request{Namespace: e.ns, Service: "shop", Revision: 2, Strategy: Strategy{Steps: []int{30, 60, 100}, Pause: -1},
		Objects: append(rendered(t, e.ns, spec, render.Options{Image: "example/shop:v2"}), httpRoute("shop"))}
	res, err = e.engine.Deploy(context.Background(), req, func(p Progress) {
		if p.Phase == PhaseAnalyzing {
			seen = append(seen, backends(t, dyn, e.ns, "shop"))
		}
	})
	if err != nil {
		t.Fatal(err)
	}
	wantPhase(t, res, PhaseRunning)
	if got := fmt.Sprint(seen); got != "[[shop-stable=70 shop-canary=30] [shop-stable=40 shop-canary=60]]" {
		t.Errorf("route backends during the steps %s, want 70/30 then 40/60", got)
	}
	if got := backends(t, dyn, e.ns, "shop"); got != "[shop]" {
		t.Errorf("route backends after the promotion %s, want the rendered [shop]", got)
	}
	for _, name := range []string{"shop-stable", "shop-canary"} {
		if _, err := e.client.CoreV1().Services(e.ns).Get(context.Background(), name, metav1.GetOptions{}); !apierrors.IsNotFound(err) {
			t.Errorf("Service %s after the promotion: %v, want removed", name, err)
		}
	}
	if images, ready := e.podImages(t, "app.kubernetes.io/name=shop"); images["example/shop:v2"] != 2 || len(images) != 1 || ready != 2 {
		t.Errorf("after the promotion the cluster has %v with %d ready, want 2 ready v2", images, ready)
	}

	// A canary that never becomes ready sends no traffic, and the route is
	// left as rendered.
	bad := append(rendered(t, e.ns, spec, render.Options{Image: "example/shop:v3"}), httpRoute("shop"))
	simulate(t, bad, "never-ready")
	res, _ = e.deploy(t, Request{Service: "shop", Revision: 3, Objects: bad, ProgressDeadline: 5 * time.Second, Strategy: Strategy{Pause: -1}})
	wantPhase(t, res, PhaseRolledBack, "never became ready", "the stable track kept serving")
	if got := backends(t, dyn, e.ns, "shop"); got != "[shop]" {
		t.Errorf("route backends after the abort %s, want the rendered [shop]", got)
	}
	if _, err := e.client.CoreV1().Services(e.ns).Get(context.Background(), "shop-canary", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("Service shop-canary after the abort: %v, want removed", err)
	}
}

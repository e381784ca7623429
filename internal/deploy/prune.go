package deploy

import (
	"context"
	"fmt"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// prunable are the kinds Capsule renders into a service's namespace; prune
// looks for leftovers of these kinds (and of any other kind in the set).
var prunable = []schema.GroupVersionResource{
	{Version: "v1", Resource: "serviceaccounts"},
	{Version: "v1", Resource: "configmaps"},
	{Version: "v1", Resource: "secrets"},
	{Version: "v1", Resource: "services"},
	{Group: "apps", Version: "v1", Resource: "deployments"},
	{Group: "apps", Version: "v1", Resource: "statefulsets"},
	{Group: "batch", Version: "v1", Resource: "cronjobs"},
	{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"},
	{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"},
	{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"},
	{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets"},
}

// ownerSelector selects the objects Capsule applied for service.
func ownerSelector(service string) string {
	return labels.Set{LabelManagedBy: "capsule", LabelService: service}.String()
}

// prune deletes the objects of service in ns that are not in keep nor
// named in also ("Kind/name"). Only objects Capsule applied (an Apply entry of its field
// manager) are deleted, so an object someone else labelled alike stays.
// Namespaces and volume claims are never pruned: what they hold outlives
// the rendered set.
func (e *Engine) prune(ctx context.Context, ns, service string, keep []*unstructured.Unstructured, also ...string) ([]ObjectRef, error) {
	want := map[string]bool{}
	for _, k := range also {
		want[k] = true
	}
	gvrs := append([]schema.GroupVersionResource(nil), prunable...)
	for _, o := range keep {
		want[o.GetKind()+"/"+o.GetName()] = true
		gvk := o.GroupVersionKind()
		if m, err := e.mapper.find(ctx, gvk); err == nil && m.namespaced && !hasGVR(gvrs, m.resource) && m.resource.Resource != "persistentvolumeclaims" {
			gvrs = append(gvrs, m.resource)
		}
	}
	var pruned []ObjectRef
	for _, gvr := range gvrs {
		list, err := e.dyn.Resource(gvr).Namespace(ns).List(ctx, metav1.ListOptions{LabelSelector: ownerSelector(service)})
		if apierrors.IsNotFound(err) {
			continue // the cluster does not serve this version
		}
		if err != nil {
			return pruned, fmt.Errorf("deploy: list %s of service %s to prune: %w", gvr.Resource, service, err)
		}
		for i := range list.Items {
			o := &list.Items[i]
			if want[o.GetKind()+"/"+o.GetName()] || !appliedByCapsule(o) {
				continue
			}
			policy := metav1.DeletePropagationBackground
			err := e.dyn.Resource(gvr).Namespace(ns).Delete(ctx, o.GetName(), metav1.DeleteOptions{PropagationPolicy: &policy})
			if err != nil && !apierrors.IsNotFound(err) {
				return pruned, fmt.Errorf("deploy: prune %s: %w", refOf(o), err)
			}
			pruned = append(pruned, refOf(o))
		}
	}
	return pruned, nil
}

func hasGVR(list []schema.GroupVersionResource, g schema.GroupVersionResource) bool {
	for _, x := range list {
		if x == g {
			return true
		}
	}
	return false
}

func appliedByCapsule(o *unstructured.Unstructured) bool {
	for _, f := range o.GetManagedFields() {
		if f.Manager == FieldManager && f.Operation == metav1.ManagedFieldsOperationApply {
			return true
		}
	}
	return false
}

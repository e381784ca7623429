package deploy

import (
	"fmt"
	"sort"
	"strconv"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/util/validation"

	"github.com/usecapsule/capsule/internal/render"
)

// Owner labels and annotations written on every object the engine applies.
const (
	LabelManagedBy     = render.LabelManagedBy
	LabelService       = "capsule.dev/service"
	AnnotationRevision = "capsule.dev/revision"
)

// applyOrder is the order kinds are applied in: what others refer to
// first (namespace, identity, configuration, claims), then the workload,
// then what routes to it or watches it. Kinds not listed go last, sorted
// by kind; within a kind the rendered order is kept.
var applyOrder = []string{
	"Namespace", "ResourceQuota", "LimitRange", "ServiceAccount", "Role", "RoleBinding",
	"ConfigMap", "Secret", "PersistentVolumeClaim",
	"Deployment", "StatefulSet", "DaemonSet", "CronJob",
	"Service", "Ingress", "HorizontalPodAutoscaler", "PodDisruptionBudget", "NetworkPolicy",
}

func kindRank(kind string) int {
	for i, k := range applyOrder {
		if k == kind {
			return i
		}
	}
	return len(applyOrder)
}

// FromRendered converts render's typed objects to the unstructured objects
// a Request carries; it is the one conversion between the two.
func FromRendered(objs []render.Object) ([]*unstructured.Unstructured, error) {
	out := make([]*unstructured.Unstructured, 0, len(objs))
	for _, o := range objs {
		m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
		if err != nil {
			return nil, fmt.Errorf("deploy: convert %s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
		}
		delete(m, "status")
		if md, ok := m["metadata"].(map[string]any); ok {
			delete(md, "creationTimestamp")
		}
		out = append(out, &unstructured.Unstructured{Object: m})
	}
	return out, nil
}

// prepare checks req and returns deep copies of its objects in apply
// order, in the request's namespace, with the owner labels and revision.
func prepare(req *Request) ([]*unstructured.Unstructured, error) {
	if errs := validation.IsDNS1123Label(req.Namespace); len(errs) > 0 {
		return nil, fmt.Errorf("deploy: namespace %q: %s", req.Namespace, errs[0])
	}
	if errs := validation.IsDNS1123Label(req.Service); len(errs) > 0 {
		return nil, fmt.Errorf("deploy: service name %q: %s", req.Service, errs[0])
	}
	if req.Revision < 1 {
		return nil, fmt.Errorf("deploy: revision %d of service %s: revisions start at 1", req.Revision, req.Service)
	}
	if len(req.Objects) == 0 {
		return nil, fmt.Errorf("deploy: service %s revision %d has no objects", req.Service, req.Revision)
	}
	seen := map[string]bool{}
	out := make([]*unstructured.Unstructured, 0, len(req.Objects))
	for i, o := range req.Objects {
		if o == nil || o.GetKind() == "" || o.GetAPIVersion() == "" || o.GetName() == "" {
			return nil, fmt.Errorf("deploy: object %d of service %s has no apiVersion, kind or name", i+1, req.Service)
		}
		c := o.DeepCopy()
		ref := refOf(c)
		if c.GetKind() == "Namespace" {
			if c.GetName() != req.Namespace {
				return nil, fmt.Errorf("deploy: %s is not the deploy's namespace %s", ref, req.Namespace)
			}
			setLabel(c, LabelManagedBy, "capsule")
		} else {
			switch c.GetNamespace() {
			case "", req.Namespace:
				c.SetNamespace(req.Namespace)
			default:
				return nil, fmt.Errorf("deploy: %s is outside the deploy's namespace %s", ref, req.Namespace)
			}
			setLabel(c, LabelManagedBy, "capsule")
			setLabel(c, LabelService, req.Service)
			setAnnotation(c, AnnotationRevision, strconv.Itoa(req.Revision))
		}
		key := c.GetKind() + "/" + c.GetName()
		if seen[key] {
			return nil, fmt.Errorf("deploy: %s appears twice", refOf(c))
		}
		seen[key] = true
		out = append(out, c)
	}
	sortForApply(out)
	return out, nil
}

func sortForApply(objs []*unstructured.Unstructured) {
	sort.SliceStable(objs, func(i, j int) bool {
		ri, rj := kindRank(objs[i].GetKind()), kindRank(objs[j].GetKind())
		if ri != rj {
			return ri < rj
		}
		return ri == len(applyOrder) && objs[i].GetKind() < objs[j].GetKind()
	})
}

func refOf(o *unstructured.Unstructured) ObjectRef {
	return ObjectRef{Kind: o.GetKind(), Namespace: o.GetNamespace(), Name: o.GetName()}
}

func setLabel(o *unstructured.Unstructured, k, v string) {
	l := o.GetLabels()
	if l == nil {
		l = map[string]string{}
	}
	l[k] = v
	o.SetLabels(l)
}

func setAnnotation(o *unstructured.Unstructured, k, v string) {
	a := o.GetAnnotations()
	if a == nil {
		a = map[string]string{}
	}
	a[k] = v
	o.SetAnnotations(a)
}

// find returns the first object of kind (and name, when not empty).
func find(objs []*unstructured.Unstructured, kind, name string) *unstructured.Unstructured {
	for _, o := range objs {
		if o.GetKind() == kind && (name == "" || o.GetName() == name) {
			return o
		}
	}
	return nil
}

func withLabel(l map[string]string, k, v string) map[string]string {
	if l == nil {
		l = map[string]string{}
	}
	l[k] = v
	return l
}

func runtimeFromMap(m map[string]any, into any) error {
	return runtime.DefaultUnstructuredConverter.FromUnstructured(m, into)
}

func runtimeToMap(v any) (map[string]any, error) {
	return runtime.DefaultUnstructuredConverter.ToUnstructured(v)
}

package render

import (
	"fmt"

	"github.com/usecapsule/capsule/internal/servicespec"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime"
)

// Object is a Kubernetes object with metadata.
type Object interface {
	metav1.Object
	runtime.Object
}

// Options are what render needs besides the spec.
type Options struct {
	// Env names the environment; it joins the instance label and name.
	Env string
	// Namespace is set on every object when not empty (else kubectl -n or
	// the GitOps tool's destination decides).
	Namespace string
	// Image overrides the spec's image; without either, <name>:latest.
	Image string
	// PartOf is the application the service belongs to (the project);
	// defaults to the service name.
	PartOf string
	// IngressNamespace is where the ingress controller runs, for the
	// NetworkPolicy; defaults to ingress-nginx.
	IngressNamespace string
	// SecretData are the secret values, used only for the checksum
	// annotation; they are never rendered.
	SecretData map[string]string
	// Slot is the active blue-green slot: blue (default) or green.
	Slot string
	// CanaryImage, with the canary strategy, renders the canary Deployment.
	CanaryImage string
}

// renderer holds the values every object derives from.
type renderer struct {
	spec     *servicespec.Spec
	opts     Options
	image    string
	version  string
	instance string
	partOf   string
}

// Render returns the objects of s in one environment, in a fixed order:
// ServiceAccount, ConfigMap, Services, workloads, autoscaler, disruption
// budget, Ingress, NetworkPolicy. s must be resolved (servicespec.Resolve).
func Render(s *servicespec.Spec, o Options) ([]Object, error) {
	r, err := newRenderer(s, o)
	if err != nil {
		return nil, err
	}
	objs := []Object{r.serviceAccount()}
	if cm := r.configMap(); cm != nil {
		objs = append(objs, cm)
	}
	objs = append(objs, r.services()...)
	objs = append(objs, r.workloads()...)
	if hpa := r.autoscaler(); hpa != nil {
		objs = append(objs, hpa)
	}
	if pdb := r.disruptionBudget(); pdb != nil {
		objs = append(objs, pdb)
	}
	if ing := r.ingress(); ing != nil {
		objs = append(objs, ing)
	}
	objs = append(objs, r.networkPolicy())
	return objs, nil
}

func newRenderer(s *servicespec.Spec, o Options) (*renderer, error) {
	if s == nil || s.Name == "" || s.Type == "" {
		return nil, fmt.Errorf("render: the spec needs a name and a type")
	}
	if s.Resources.CPU.Request == "" || s.Resources.Memory.Request == "" {
		return nil, fmt.Errorf("render: spec %s is not resolved (no resources); resolve it with servicespec first", s.Name)
	}
	if o.Slot == "" {
		o.Slot = "blue"
	}
	if o.Slot != "blue" && o.Slot != "green" {
		return nil, fmt.Errorf("render: slot %q is not blue or green", o.Slot)
	}
	if o.IngressNamespace == "" {
		o.IngressNamespace = "ingress-nginx"
	}
	r := &renderer{spec: s, opts: o, image: o.Image, partOf: o.PartOf, instance: s.Name}
	if r.image == "" {
		r.image = s.Image
	}
	if r.image == "" {
		r.image = s.Name + ":latest"
	}
	if r.partOf == "" {
		r.partOf = s.Name
	}
	if o.Env != "" {
		r.instance = s.Name + "-" + o.Env
	}
	r.instance = labelValue(r.instance)
	r.partOf = labelValue(r.partOf)
	r.version = labelValue(imageVersion(r.image))
	return r, nil
}

// meta returns the object metadata of an object called name.
func (r *renderer) meta(name string) metav1.ObjectMeta {
	return metav1.ObjectMeta{Name: name, Namespace: r.opts.Namespace, Labels: r.labels()}
}

// serves reports whether the service takes traffic.
func (r *renderer) serves() bool { return servicespec.Serves(r.spec.Type) }

func ptr[T any](v T) *T { return &v }

package render

import (
	"strings"
	"testing"

	appsv1 "k8s.io/api/apps/v1"
	autoscalingv2 "k8s.io/api/autoscaling/v2"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	apivalidation "k8s.io/apimachinery/pkg/api/validation"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	metav1validation "k8s.io/apimachinery/pkg/apis/meta/v1/validation"
	"k8s.io/apimachinery/pkg/labels"
	"k8s.io/apimachinery/pkg/util/validation"
	"k8s.io/apimachinery/pkg/util/validation/field"
	"k8s.io/client-go/kubernetes/scheme"
	"sigs.k8s.io/yaml"
)

// strictDecodeAll decodes every YAML document into its typed API object
// and fails on any field the type does not have.
func strictDecodeAll(t *testing.T, stream []byte) {
	t.Helper()
	for i, doc := range strings.Split(string(stream), "\n---\n") {
		var tm metav1.TypeMeta
		if err := yaml.Unmarshal([]byte(doc), &tm); err != nil {
			t.Fatalf("document %d: %v", i+1, err)
		}
		obj, err := scheme.Scheme.New(tm.GroupVersionKind())
		if err != nil {
			t.Fatalf("document %d: unknown kind %s: %v", i+1, tm.GroupVersionKind(), err)
		}
		if err := yaml.UnmarshalStrict([]byte(doc), obj); err != nil {
			t.Errorf("document %d (%s): strict decoding: %v", i+1, tm.Kind, err)
		}
	}
}

// validateObject runs apimachinery's validation of metadata, names, labels
// and selectors, and the restricted Pod Security Standard on pods.
func validateObject(t *testing.T, o Object) {
	t.Helper()
	kind := o.GetObjectKind().GroupVersionKind().Kind
	if kind == "" {
		t.Fatalf("%s has no kind", o.GetName())
	}
	nameFn := apivalidation.NameIsDNSSubdomain
	if kind == "Service" {
		nameFn = apivalidation.NameIsDNS1035Label
	}
	// Every rendered kind is namespaced; without a namespace the manifest
	// takes the one kubectl or the GitOps tool gives it.
	meta, ok := any(o).(metav1.ObjectMetaAccessor)
	if !ok {
		t.Fatalf("%s has no ObjectMeta", kind)
	}
	errs := apivalidation.ValidateObjectMeta(meta.GetObjectMeta().(*metav1.ObjectMeta), o.GetNamespace() != "", nameFn, field.NewPath("metadata"))
	if kind == "CronJob" && len(o.GetName()) > 52 {
		errs = append(errs, field.TooLong(field.NewPath("metadata", "name"), o.GetName(), 52))
	}
	want := map[string]string{LabelManagedBy: "capsule"}
	for k, v := range want {
		if o.GetLabels()[k] != v {
			t.Errorf("%s %s: label %s = %q", kind, o.GetName(), k, o.GetLabels()[k])
		}
	}
	for _, k := range []string{LabelName, LabelInstance, LabelVersion, LabelComponent, LabelPartOf} {
		if o.GetLabels()[k] == "" {
			t.Errorf("%s %s: no %s label", kind, o.GetName(), k)
		}
	}
	if sel := selectorOf(o); sel != nil {
		errs = append(errs, metav1validation.ValidateLabelSelector(sel, metav1validation.LabelSelectorValidationOptions{}, field.NewPath("spec", "selector"))...)
		tmpl := podTemplateOf(o)
		s, err := metav1.LabelSelectorAsSelector(sel)
		if err != nil || !s.Matches(labels.Set(tmpl.Labels)) {
			t.Errorf("%s %s: selector %v does not match the pod template labels", kind, o.GetName(), sel.MatchLabels)
		}
	}
	if tmpl := podTemplateOf(o); tmpl != nil {
		errs = append(errs, metav1validation.ValidateLabels(tmpl.Labels, field.NewPath("spec", "template", "metadata", "labels"))...)
		checkRestricted(t, o.GetName(), &tmpl.Spec)
	}
	for _, e := range errs {
		t.Errorf("%s %s: %v", kind, o.GetName(), e)
	}
}

func selectorOf(o Object) *metav1.LabelSelector {
	switch w := o.(type) {
	case *appsv1.Deployment:
		return w.Spec.Selector
	case *appsv1.StatefulSet:
		return w.Spec.Selector
	}
	return nil
}

func podTemplateOf(o Object) *corev1.PodTemplateSpec {
	switch w := o.(type) {
	case *appsv1.Deployment:
		return &w.Spec.Template
	case *appsv1.StatefulSet:
		return &w.Spec.Template
	case *batchv1.CronJob:
		return &w.Spec.JobTemplate.Spec.Template
	}
	return nil
}

// checkRestricted asserts the restricted Pod Security Standard and that
// every mount has a volume.
func checkRestricted(t *testing.T, name string, p *corev1.PodSpec) {
	t.Helper()
	psc := p.SecurityContext
	if psc == nil || psc.RunAsNonRoot == nil || !*psc.RunAsNonRoot || psc.RunAsUser == nil || *psc.RunAsUser == 0 ||
		psc.SeccompProfile == nil || psc.SeccompProfile.Type != corev1.SeccompProfileTypeRuntimeDefault {
		t.Errorf("%s: pod security context is not restricted: %+v", name, psc)
	}
	vols := map[string]bool{"data": true} // the StatefulSet claim template
	for _, v := range p.Volumes {
		vols[v.Name] = true
		for _, msg := range validation.IsDNS1123Label(v.Name) {
			t.Errorf("%s: volume %s: %s", name, v.Name, msg)
		}
	}
	for _, c := range p.Containers {
		sc := c.SecurityContext
		if sc == nil || sc.AllowPrivilegeEscalation == nil || *sc.AllowPrivilegeEscalation || sc.Capabilities == nil ||
			len(sc.Capabilities.Drop) != 1 || sc.Capabilities.Drop[0] != "ALL" || sc.ReadOnlyRootFilesystem == nil {
			t.Errorf("%s: container %s security context is not restricted: %+v", name, c.Name, sc)
		}
		if c.Resources.Requests.Cpu().IsZero() || c.Resources.Limits.Memory().IsZero() {
			t.Errorf("%s: container %s has no requests or limits", name, c.Name)
		}
		for _, m := range c.VolumeMounts {
			if !vols[m.Name] {
				t.Errorf("%s: mount %s has no volume", name, m.Name)
			}
		}
		if len(c.Ports) > 0 && (c.StartupProbe == nil || c.ReadinessProbe == nil || c.LivenessProbe == nil) {
			t.Errorf("%s: a serving container without probes", name)
		}
	}
}

// TestReferencesResolve checks that Services select rendered pods and that
// autoscalers target rendered workloads.
func TestReferencesResolve(t *testing.T) {
	for _, c := range cases {
		objs := renderCaseObjects(t, c)
		workloads := map[string]bool{}
		var podLabels []map[string]string
		for _, o := range objs {
			if tmpl := podTemplateOf(o); tmpl != nil {
				workloads[o.GetObjectKind().GroupVersionKind().Kind+"/"+o.GetName()] = true
				podLabels = append(podLabels, tmpl.Labels)
			}
		}
		for _, o := range objs {
			switch x := o.(type) {
			case *corev1.Service:
				if strings.HasSuffix(x.Name, "-preview") {
					continue // selects the idle blue-green slot, empty until a deploy
				}
				if !selectsAny(x.Spec.Selector, podLabels) {
					t.Errorf("%s: Service %s selects no rendered pod", c.name, x.Name)
				}
			case *autoscalingv2.HorizontalPodAutoscaler:
				if ref := x.Spec.ScaleTargetRef; !workloads[ref.Kind+"/"+ref.Name] {
					t.Errorf("%s: HPA targets %s/%s, which is not rendered", c.name, ref.Kind, ref.Name)
				}
			}
		}
	}
}

func selectsAny(sel map[string]string, pods []map[string]string) bool {
	for _, p := range pods {
		if labels.SelectorFromSet(sel).Matches(labels.Set(p)) {
			return true
		}
	}
	return false
}

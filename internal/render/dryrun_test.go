package render

import (
	"context"
	"github.com/usecapsule/capsule/internal/testenv/kubeclient"
	"strings"
	"testing"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/discovery"
	"k8s.io/client-go/discovery/cached/memory"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"k8s.io/client-go/restmapper"
	"sigs.k8s.io/yaml"

	"github.com/usecapsule/capsule/internal/testenv"
)

// TestServerSideDryRun creates every rendered object of every case, as
// the YAML a user applies, with a server-side dry run and strict field
// validation on a real kube-apiserver: the API server's own validation
// and admission decide, not ours. The namespace enforces the restricted
// Pod Security Standard, and a Pod made from each pod template is
// dry-run created too, so Pod Security Admission judges the pods.
func TestServerSideDryRun(t *testing.T) {
	c := testenv.Start(t)
	ns := c.Namespace(t)
	client := kubeclient.For(t, c)
	ctx := context.Background()
	enforceRestricted(t, client, ns)
	dyn, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	disc, err := discovery.NewDiscoveryClientForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	mapper := restmapper.NewDeferredDiscoveryRESTMapper(memory.NewMemCacheClient(disc))
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}, FieldValidation: metav1.FieldValidationStrict}
	for _, rc := range cases {
		t.Run(rc.name, func(t *testing.T) {
			rc.opts.Namespace = ns
			b, err := Marshal(renderCaseObjects(t, rc), "yaml")
			if err != nil {
				t.Fatal(err)
			}
			for _, doc := range strings.Split(string(b), "\n---\n") {
				var obj unstructured.Unstructured
				if err := yaml.Unmarshal([]byte(doc), &obj.Object); err != nil {
					t.Fatal(err)
				}
				gvk := obj.GroupVersionKind()
				m, err := mapper.RESTMapping(gvk.GroupKind(), gvk.Version)
				if err != nil {
					t.Fatalf("%s: %v", gvk, err)
				}
				if _, err := dyn.Resource(m.Resource).Namespace(ns).Create(ctx, &obj, dryRun); err != nil {
					t.Errorf("%s %s: %v", gvk.Kind, obj.GetName(), err)
				}
			}
			for _, o := range renderCaseObjects(t, rc) {
				if tmpl := podTemplateOf(o); tmpl != nil {
					if _, err := client.CoreV1().Pods(ns).Create(ctx, podOf(tmpl, o.GetName()), dryRun); err != nil {
						t.Errorf("pod of %s: %v", o.GetName(), err)
					}
				}
			}
		})
	}
	// The check can fail: a root pod is refused in this namespace.
	var root *corev1.Pod
	for _, o := range renderCaseObjects(t, cases[0]) {
		if tmpl := podTemplateOf(o); tmpl != nil {
			root = podOf(tmpl, "root")
		}
	}
	root.Spec.SecurityContext.RunAsNonRoot, root.Spec.SecurityContext.RunAsUser = nil, ptr(int64(0))
	root.Spec.Containers[0].SecurityContext.RunAsNonRoot = nil
	if _, err := client.CoreV1().Pods(ns).Create(ctx, root, dryRun); err == nil {
		t.Error("a pod running as root passed the restricted namespace")
	}
}

// enforceRestricted labels the namespace so that Pod Security Admission
// enforces the restricted standard.
func enforceRestricted(t *testing.T, client kubernetes.Interface, ns string) {
	t.Helper()
	ctx := context.Background()
	n, err := client.CoreV1().Namespaces().Get(ctx, ns, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if n.Labels == nil {
		n.Labels = map[string]string{}
	}
	n.Labels["pod-security.kubernetes.io/enforce"] = "restricted"
	if _, err := client.CoreV1().Namespaces().Update(ctx, n, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
}

// podOf is a bare Pod with a template's spec, using the namespace's
// default service account (the rendered one exists only as a dry run) and
// standing in an emptyDir for the StatefulSet's claim.
func podOf(tmpl *corev1.PodTemplateSpec, name string) *corev1.Pod {
	spec := *tmpl.Spec.DeepCopy()
	spec.ServiceAccountName = ""
	for _, m := range spec.Containers[0].VolumeMounts {
		if m.Name == "data" {
			spec.Volumes = append(spec.Volumes, corev1.Volume{Name: "data", VolumeSource: corev1.VolumeSource{EmptyDir: &corev1.EmptyDirVolumeSource{}}})
		}
	}
	return &corev1.Pod{ObjectMeta: metav1.ObjectMeta{Name: name + "-pod", Labels: tmpl.Labels}, Spec: spec}
}

// TestNamespaceEnforcesRestricted creates the rendered Namespace on a real
// kube-apiserver: the rendered pods are admitted in it and a root pod is
// refused, so its Pod Security labels are the ones admission reads.
func TestNamespaceEnforcesRestricted(t *testing.T) {
	c := testenv.Start(t)
	client := kubeclient.For(t, c)
	ctx := context.Background()
	name := c.Namespace(t) + "-rendered"
	b, err := Marshal([]Object{Namespace(name)}, "yaml")
	if err != nil {
		t.Fatal(err)
	}
	var ns corev1.Namespace
	if err := yaml.UnmarshalStrict(b, &ns); err != nil {
		t.Fatal(err)
	}
	if _, err := client.CoreV1().Namespaces().Create(ctx, &ns, metav1.CreateOptions{FieldValidation: metav1.FieldValidationStrict}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { client.CoreV1().Namespaces().Delete(context.Background(), name, metav1.DeleteOptions{}) })
	dryRun := metav1.CreateOptions{DryRun: []string{metav1.DryRunAll}}
	var pod *corev1.Pod
	for _, o := range renderCaseObjects(t, cases[0]) {
		if tmpl := podTemplateOf(o); tmpl != nil {
			pod = podOf(tmpl, "web")
		}
	}
	if _, err := client.CoreV1().Pods(name).Create(ctx, pod, dryRun); err != nil {
		t.Fatalf("a rendered pod was refused in the rendered namespace: %v", err)
	}
	pod.Spec.SecurityContext.RunAsNonRoot, pod.Spec.SecurityContext.RunAsUser = nil, ptr(int64(0))
	pod.Spec.Containers[0].SecurityContext.RunAsNonRoot = nil
	if _, err := client.CoreV1().Pods(name).Create(ctx, pod, dryRun); err == nil {
		t.Error("a pod running as root passed the rendered namespace")
	}
}

package testenv_test

import (
	"context"
	"github.com/usecapsule/capsule/internal/testenv/kubeclient"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	corev1ac "k8s.io/client-go/applyconfigurations/core/v1"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/kubernetes"
	"sigs.k8s.io/yaml"

	"github.com/usecapsule/capsule/internal/testenv"
)

func mustQty(s string) resource.Quantity { return resource.MustParse(s) }

func TestResourceQuotaRejectsOverQuotaPod(t *testing.T) {
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	client := kubeclient.For(t, c)
	ctx := context.Background()
	quota := &corev1.ResourceQuota{
		ObjectMeta: metav1.ObjectMeta{Name: "small"},
		Spec:       corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceRequestsCPU: mustQty("1")}},
	}
	if _, err := client.CoreV1().ResourceQuotas(ns).Create(ctx, quota, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	// Admission enforces a quota only once the quota controller has
	// computed its status.
	eventually(t, 60*time.Second, "quota status is computed", func(ctx context.Context) (bool, error) {
		q, err := client.CoreV1().ResourceQuotas(ns).Get(ctx, "small", metav1.GetOptions{})
		return err == nil && len(q.Status.Hard) > 0, nil
	}, func() string { return "status.hard still empty" })
	pod := &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: "big"},
		Spec: corev1.PodSpec{Containers: []corev1.Container{{
			Name: "app", Image: "example/big:v1",
			Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{corev1.ResourceCPU: mustQty("2")}},
		}}},
	}
	_, err := client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{})
	if !apierrors.IsForbidden(err) || !strings.Contains(err.Error(), "exceeded quota") {
		t.Fatalf("create over-quota pod: %v; want Forbidden: exceeded quota", err)
	}
	pod.Name, pod.Spec.Containers[0].Resources.Requests[corev1.ResourceCPU] = "fits", mustQty("500m")
	if _, err := client.CoreV1().Pods(ns).Create(ctx, pod, metav1.CreateOptions{}); err != nil {
		t.Fatalf("create pod within quota: %v", err)
	}
}

func TestServerSideApplyAndDryRun(t *testing.T) {
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	client := kubeclient.For(t, c)
	ctx := context.Background()
	cms := client.CoreV1().ConfigMaps(ns)
	apply := func(manager, value string, dryRun bool, force bool) (*corev1.ConfigMap, error) {
		cfg := corev1ac.ConfigMap("settings", ns).WithData(map[string]string{"mode": value})
		opts := metav1.ApplyOptions{FieldManager: manager, Force: force}
		if dryRun {
			opts.DryRun = []string{metav1.DryRunAll}
		}
		return cms.Apply(ctx, cfg, opts)
	}
	if _, err := apply("capsule", "blue", false, false); err != nil {
		t.Fatal(err)
	}
	dry, err := apply("capsule", "green", true, false)
	if err != nil {
		t.Fatal(err)
	}
	if dry.Data["mode"] != "green" {
		t.Errorf("dry-run result has mode %q, want green", dry.Data["mode"])
	}
	live, err := cms.Get(ctx, "settings", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if live.Data["mode"] != "blue" {
		t.Errorf("dry-run changed the live object: mode %q, want blue", live.Data["mode"])
	}
	if _, err := apply("someone-else", "red", false, false); !apierrors.IsConflict(err) {
		t.Errorf("apply by another manager of an owned field: %v, want a conflict", err)
	}
	if got, err := apply("someone-else", "red", false, true); err != nil || got.Data["mode"] != "red" {
		t.Errorf("forced apply: %v, mode %q; want red", err, got.Data["mode"])
	}
}

const widgetCRD = `
apiVersion: apiextensions.k8s.io/v1
kind: CustomResourceDefinition
metadata:
  name: widgets.testenv.capsule.dev
spec:
  group: testenv.capsule.dev
  scope: Namespaced
  names: {plural: widgets, singular: widget, kind: Widget}
  versions:
  - name: v1
    served: true
    storage: true
    schema:
      openAPIV3Schema:
        type: object
        properties:
          spec:
            type: object
            properties:
              size: {type: integer, minimum: 1}
`

func TestCRDInstallsAndObjectsCanBeCreated(t *testing.T) {
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	dyn, err := dynamic.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	crd := &unstructured.Unstructured{}
	if err := yaml.Unmarshal([]byte(widgetCRD), &crd.Object); err != nil {
		t.Fatal(err)
	}
	crdRes := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
	if _, err := dyn.Resource(crdRes).Create(ctx, crd, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = dyn.Resource(crdRes).Delete(context.Background(), crd.GetName(), metav1.DeleteOptions{}) })
	eventually(t, 60*time.Second, "CRD is established", func(ctx context.Context) (bool, error) {
		got, err := dyn.Resource(crdRes).Get(ctx, crd.GetName(), metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		conds, _, _ := unstructured.NestedSlice(got.Object, "status", "conditions")
		for _, c := range conds {
			m, _ := c.(map[string]any)
			if m["type"] == "Established" && m["status"] == "True" {
				return true, nil
			}
		}
		return false, nil
	}, func() string { return "no Established=True condition" })
	widgets := dyn.Resource(schema.GroupVersionResource{Group: "testenv.capsule.dev", Version: "v1", Resource: "widgets"}).Namespace(ns)
	w := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "testenv.capsule.dev/v1", "kind": "Widget",
		"metadata": map[string]any{"name": "w1"},
		"spec":     map[string]any{"size": int64(3)},
	}}
	var created *unstructured.Unstructured
	// Discovery of a just-established CRD can lag by a moment.
	eventually(t, 30*time.Second, "create a Widget", func(ctx context.Context) (bool, error) {
		created, err = widgets.Create(ctx, w, metav1.CreateOptions{})
		return err == nil, nil
	}, func() string { return err.Error() })
	if size, _, _ := unstructured.NestedInt64(created.Object, "spec", "size"); size != 3 {
		t.Errorf("created widget has size %d, want 3", size)
	}
	bad := w.DeepCopy()
	bad.SetName("w2")
	_ = unstructured.SetNestedField(bad.Object, int64(0), "spec", "size")
	if _, err := widgets.Create(ctx, bad, metav1.CreateOptions{}); !apierrors.IsInvalid(err) {
		t.Errorf("widget violating the schema: %v, want Invalid", err)
	}
}

func TestReadOnlyIdentityCanReadButNotWrite(t *testing.T) {
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	ro, err := kubernetes.NewForConfig(c.ReadOnlyConfig)
	if err != nil {
		t.Fatal(err)
	}
	ctx := context.Background()
	if _, err := ro.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("read-only list pods: %v", err)
	}
	if _, err := ro.CoreV1().Nodes().List(ctx, metav1.ListOptions{}); err != nil {
		t.Errorf("read-only list nodes: %v", err)
	}
	cm := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "nope"}}
	if _, err := ro.CoreV1().ConfigMaps(ns).Create(ctx, cm, metav1.CreateOptions{}); !apierrors.IsForbidden(err) {
		t.Errorf("read-only create: %v, want Forbidden", err)
	}
}

func TestFakeNodesHaveCapacityAndTopologyLabels(t *testing.T) {
	c := testenv.Shared(t)
	nodes, err := kubeclient.For(t, c).CoreV1().Nodes().List(context.Background(), metav1.ListOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if len(nodes.Items) != len(c.Nodes) || len(c.Nodes) != 3 {
		t.Fatalf("%d nodes listed, %d launched; want 3", len(nodes.Items), len(c.Nodes))
	}
	zones := map[string]bool{}
	for _, n := range nodes.Items {
		if got := n.Labels["node.kubernetes.io/instance-type"]; got != testenv.NodeInstanceType {
			t.Errorf("%s instance type %q", n.Name, got)
		}
		if got := n.Labels["topology.kubernetes.io/region"]; got != testenv.NodeRegion {
			t.Errorf("%s region %q", n.Name, got)
		}
		zones[n.Labels["topology.kubernetes.io/zone"]] = true
		if cpu := n.Status.Allocatable.Cpu(); cpu.MilliValue() != 3920 {
			t.Errorf("%s allocatable cpu %s, want 3920m", n.Name, cpu)
		}
		if mem := n.Status.Capacity.Memory(); mem.Value() != 16<<30 {
			t.Errorf("%s capacity memory %s, want 16Gi", n.Name, mem)
		}
	}
	if len(zones) != 3 {
		t.Errorf("nodes span zones %v, want 3", zones)
	}
}

package agent_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"

	"github.com/usecapsule/capsule/internal/agent"
	"github.com/usecapsule/capsule/internal/testenv"
)

var metricsOnce sync.Once

// serveMetricsAPI makes the cluster serve metrics.k8s.io/v1beta1 nodes and
// pods. The simulated cluster runs no metrics-server, so the group is
// served by CustomResourceDefinitions of the same group, version and
// resource names (a *.k8s.io group needs the api-approved annotation):
// the agent reads them through the real API server exactly as it reads
// metrics-server's answers.
func serveMetricsAPI(t *testing.T, c *testenv.Cluster) {
	t.Helper()
	metricsOnce.Do(func() {
		d := admin(t, c)
		crds := schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}
		for _, k := range []struct{ kind, plural, scope string }{{"NodeMetrics", "nodes", "Cluster"}, {"PodMetrics", "pods", "Namespaced"}} {
			crd := map[string]any{"apiVersion": "apiextensions.k8s.io/v1", "kind": "CustomResourceDefinition",
				"metadata": map[string]any{"name": k.plural + ".metrics.k8s.io", "annotations": map[string]any{"api-approved.kubernetes.io": "unapproved, test only"}},
				"spec": map[string]any{"group": "metrics.k8s.io", "scope": k.scope,
					"names": map[string]any{"kind": k.kind, "plural": k.plural, "listKind": k.kind + "List"},
					"versions": []any{map[string]any{"name": "v1beta1", "served": true, "storage": true,
						"schema": map[string]any{"openAPIV3Schema": map[string]any{"type": "object", "x-kubernetes-preserve-unknown-fields": true}}}}}}
			if _, err := d.Resource(crds).Create(context.Background(), &unstructured.Unstructured{Object: crd}, metav1.CreateOptions{}); err != nil {
				t.Fatalf("create CRD %s: %v", k.plural, err)
			}
		}
		podMetrics := schema.GroupVersionResource{Group: "metrics.k8s.io", Version: "v1beta1", Resource: "pods"}
		eventually(t, 30*time.Second, "metrics.k8s.io served", func() (bool, string) {
			_, err := d.Resource(podMetrics).List(context.Background(), metav1.ListOptions{})
			return err == nil, ""
		})
	})
}

func TestAgentReadsUsageWhenMetricsAreServed(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	serveMetricsAPI(t, c)
	ns := c.Namespace(t)
	d := admin(t, c)
	gvr := schema.GroupVersionResource{Group: "metrics.k8s.io", Version: "v1beta1", Resource: "pods"}
	usage := func(cpu string) map[string]any {
		return map[string]any{"apiVersion": "metrics.k8s.io/v1beta1", "kind": "PodMetrics", "metadata": map[string]any{"name": "web"},
			"timestamp": time.Now().UTC().Format(time.RFC3339), "window": "30s",
			"containers": []any{map[string]any{"name": "app", "usage": map[string]any{"cpu": cpu, "memory": "64Mi"}}}}
	}
	create(t, d, ns, gvr, usage("120m"))

	cp := startControlPlane(t)
	cluster := "cluster-" + ns
	a, err := agent.New(agent.Options{Server: cp.url(), Token: cp.joinToken(t, cluster), Kube: c.ReadOnlyConfig, Version: "test", HTTP: loopbackClient(),
		UsageInterval: 200 * time.Millisecond, Heartbeat: 500 * time.Millisecond, MinBackoff: 20 * time.Millisecond, MaxBackoff: 300 * time.Millisecond})
	if err != nil {
		t.Fatal(err)
	}
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- a.Run(ctx) }()
	t.Cleanup(func() { cancel(); <-done })

	cpuOf := func() (bool, string) {
		objs, err := cp.inv.Objects(context.Background(), cluster, "PodMetrics", ns)
		if err != nil || len(objs) != 1 {
			return false, ""
		}
		var body struct {
			Containers []struct{ Usage map[string]string }
		}
		json.Unmarshal(objs[0].Body, &body)
		if len(body.Containers) != 1 {
			return false, string(objs[0].Body)
		}
		return true, body.Containers[0].Usage["cpu"]
	}
	eventually(t, 30*time.Second, "usage in the inventory", func() (bool, string) {
		ok, cpu := cpuOf()
		return ok && cpu == "120m", cpu
	})
	cur, err := d.Resource(gvr).Namespace(ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	next := usage("480m")
	next["metadata"] = map[string]any{"name": "web", "resourceVersion": cur.GetResourceVersion()}
	if _, err := d.Resource(gvr).Namespace(ns).Update(context.Background(), &unstructured.Unstructured{Object: next}, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "changed usage in the inventory", func() (bool, string) {
		ok, cpu := cpuOf()
		return ok && cpu == "480m", cpu
	})
	if err := d.Resource(gvr).Namespace(ns).Delete(context.Background(), "web", metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	eventually(t, 30*time.Second, "usage gone from the inventory", func() (bool, string) {
		objs, _ := cp.inv.Objects(context.Background(), cluster, "PodMetrics", ns)
		return len(objs) == 0, strings.Repeat("x", len(objs))
	})
}

package soak_test

import (
	"context"
	"fmt"
	"github.com/usecapsule/capsule/internal/testenv/kubeclient"
	"os"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/types"
	"k8s.io/client-go/kubernetes"

	"github.com/usecapsule/capsule/internal/testenv"
)

func TestMain(m *testing.M) { testenv.Main(m) }

const (
	replicas = 1000
	// nodes hold 110 pods each: ten give room for the Deployment and a
	// rolling surge.
	nodes = 10
	hold  = 5 * time.Minute
	// rollout bounds the time to 1,000 Ready pods; ~20 s on an idle
	// two-core machine, much more when it is busy compiling.
	rollout = 4 * time.Minute
)

func podsByUID(ctx context.Context, client kubernetes.Interface, ns string) (map[types.UID]*corev1.Pod, error) {
	list, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{})
	if err != nil {
		return nil, err
	}
	out := make(map[types.UID]*corev1.Pod, len(list.Items))
	for i := range list.Items {
		out[list.Items[i].UID] = &list.Items[i]
	}
	return out, nil
}

// TestThousandPodsStayReadyForFiveMinutes holds a 1,000-replica Deployment
// and checks every 15 s that the very same 1,000 pods are all Ready, every
// node is Ready and no NodeNotReady event was ever recorded: a node that
// flaps would have its pods marked not ready, evicted and replaced.
func TestThousandPodsStayReadyForFiveMinutes(t *testing.T) {
	c := testenv.Shared(t, testenv.WithNodes(nodes))
	client := kubeclient.For(t, c)
	ns := c.Namespace(t)
	ctx := context.Background()
	n := int32(replicas)
	d := &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: "big"},
		Spec: appsv1.DeploymentSpec{
			Replicas: &n,
			Selector: &metav1.LabelSelector{MatchLabels: map[string]string{"app": "big"}},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: map[string]string{"app": "big"}},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name: "web", Image: "nginx:1.27",
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU: resource.MustParse("10m"), corev1.ResourceMemory: resource.MustParse("16Mi"),
					}},
				}}},
			},
		},
	}
	start := time.Now()
	if _, err := client.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	var got *appsv1.Deployment
	for {
		var err error
		got, err = client.AppsV1().Deployments(ns).Get(ctx, "big", metav1.GetOptions{})
		if err == nil && got.Status.ReadyReplicas == replicas && got.Status.AvailableReplicas == replicas {
			break
		}
		if time.Since(start) > rollout {
			t.Fatalf("%d replicas not Ready within %s: status %+v", replicas, rollout, got.Status)
		}
		time.Sleep(time.Second)
	}
	t.Logf("%d pods Ready %s after the Deployment was created (%s)", replicas, time.Since(start).Round(time.Second), loadavg())
	base, err := podsByUID(ctx, client, ns)
	if err != nil {
		t.Fatal(err)
	}
	if len(base) != replicas {
		t.Fatalf("%d pods exist once rolled out, want %d", len(base), replicas)
	}

	end := time.Now().Add(hold)
	for checks := 1; ; checks++ {
		time.Sleep(15 * time.Second)
		pods, err := podsByUID(ctx, client, ns)
		if err != nil {
			t.Fatalf("check %d: %v", checks, err)
		}
		notReady, replaced := 0, 0
		for uid, p := range pods {
			if base[uid] == nil {
				replaced++
			}
			if !testenv.PodReady(p) {
				notReady++
			}
		}
		if notReady > 0 || replaced > 0 || len(pods) != replicas {
			t.Fatalf("check %d (%s into the hold): %d pods, %d not Ready, %d new since the rollout",
				checks, hold-time.Until(end).Round(time.Second), len(pods), notReady, replaced)
		}
		if err := nodesHealthy(ctx, client, nodes); err != nil {
			t.Fatalf("check %d: %v", checks, err)
		}
		if time.Now().After(end) {
			t.Logf("held %d Ready pods on %d Ready nodes for %s (%d checks; %s, %s resident)",
				replicas, nodes, hold, checks, loadavg(), mib(c.ResidentBytes()))
			return
		}
	}
}

// nodesHealthy fails when a node is not Ready or any NodeNotReady event
// exists (events live an hour, longer than this test).
func nodesHealthy(ctx context.Context, client kubernetes.Interface, want int) error {
	list, err := client.CoreV1().Nodes().List(ctx, metav1.ListOptions{})
	if err != nil {
		return err
	}
	ready := 0
	for _, n := range list.Items {
		for _, cond := range n.Status.Conditions {
			if cond.Type == corev1.NodeReady && cond.Status == corev1.ConditionTrue {
				ready++
			}
		}
	}
	if ready != want || len(list.Items) != want {
		return fmt.Errorf("%d of %d nodes Ready, want %d", ready, len(list.Items), want)
	}
	ev, err := client.CoreV1().Events("").List(ctx, metav1.ListOptions{FieldSelector: "reason=NodeNotReady"})
	if err != nil {
		return err
	}
	if len(ev.Items) > 0 {
		return fmt.Errorf("%d NodeNotReady events, first: %s %s", len(ev.Items), ev.Items[0].InvolvedObject.Name, ev.Items[0].Message)
	}
	return nil
}

func loadavg() string {
	b, err := os.ReadFile("/proc/loadavg")
	if err != nil || len(b) < 14 {
		return "load average unknown"
	}
	return "load average " + string(b[:14])
}

func mib(n int64) string { return fmt.Sprintf("%d MiB", n>>20) }

package testenv_test

import (
	"context"
	"fmt"
	"github.com/usecapsule/capsule/internal/testenv/kubeclient"
	"net/http"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/client-go/rest"

	"github.com/usecapsule/capsule/internal/testenv"
)

// Every fake node has a Lease in kube-node-lease that kwok renews, which is
// what keeps nodes Ready past the controller-manager's grace period.
func TestNodeLeasesAreRenewed(t *testing.T) {
	c := testenv.Shared(t)
	client := kubeclient.For(t, c)
	first := map[string]time.Time{}
	eventually(t, 30*time.Second, "every node has a Lease", func(ctx context.Context) (bool, error) {
		for _, n := range c.Nodes {
			l, err := client.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(ctx, n, metav1.GetOptions{})
			if err != nil || l.Spec.RenewTime == nil {
				return false, nil
			}
			first[n] = l.Spec.RenewTime.Time
		}
		return true, nil
	}, func() string { return fmt.Sprintf("leases found: %v", first) })
	// kwok renews every 10 s (a quarter of the 40 s lease duration).
	renewed := map[string]bool{}
	eventually(t, 40*time.Second, "every Lease is renewed", func(ctx context.Context) (bool, error) {
		for _, n := range c.Nodes {
			l, err := client.CoordinationV1().Leases(corev1.NamespaceNodeLease).Get(ctx, n, metav1.GetOptions{})
			if err == nil && l.Spec.RenewTime != nil && l.Spec.RenewTime.After(first[n]) {
				renewed[n] = true
			}
		}
		return len(renewed) == len(c.Nodes), nil
	}, func() string { return fmt.Sprintf("renewed: %v of %v", renewed, c.Nodes) })
}

// The API server keeps priority and fairness on, as a real one does: every
// request is classified and the response names its flow schema.
func TestPriorityAndFairnessIsOn(t *testing.T) {
	c := testenv.Shared(t)
	hc, err := rest.HTTPClientFor(c.ReadOnlyConfig)
	if err != nil {
		t.Fatal(err)
	}
	resp, err := hc.Get(c.ReadOnlyConfig.Host + "/api/v1/namespaces")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK || resp.Header.Get("X-Kubernetes-PF-FlowSchema-UID") == "" {
		t.Errorf("GET /api/v1/namespaces: %s, flow schema header %q; want 200 with the header set by priority and fairness",
			resp.Status, resp.Header.Get("X-Kubernetes-PF-FlowSchema-UID"))
	}
}

func simPod(name, behaviour string, annotations map[string]string) *corev1.Pod {
	labels := map[string]string{}
	if behaviour != "" {
		labels[testenv.SimLabel] = behaviour
	}
	return &corev1.Pod{
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels, Annotations: annotations},
		Spec:       corev1.PodSpec{Containers: []corev1.Container{{Name: "app", Image: "example/app:v1"}}},
	}
}

func TestPodBehavioursChosenByLabel(t *testing.T) {
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	client := kubeclient.For(t, c)
	ctx := context.Background()
	pods := []*corev1.Pod{
		simPod("plain", "", nil),
		simPod("ready", testenv.BehaviourReady, nil),
		simPod("never", testenv.BehaviourNeverReady, nil),
		simPod("crash", testenv.BehaviourCrashLoop, nil),
		simPod("slow", testenv.BehaviourSlow, map[string]string{testenv.SimReadyAfterAnnotation: "6s"}),
	}
	for _, p := range pods {
		if _, err := client.CoreV1().Pods(ns).Create(ctx, p, metav1.CreateOptions{}); err != nil {
			t.Fatal(err)
		}
	}
	get := func(name string) *corev1.Pod {
		p, err := client.CoreV1().Pods(ns).Get(ctx, name, metav1.GetOptions{})
		if err != nil {
			t.Fatal(err)
		}
		return p
	}
	running := func(ctx context.Context) (bool, error) {
		for _, p := range pods {
			got, err := client.CoreV1().Pods(ns).Get(ctx, p.Name, metav1.GetOptions{})
			if err != nil || got.Status.Phase != corev1.PodRunning || got.Status.PodIP == "" {
				return false, err
			}
		}
		return true, nil
	}
	eventually(t, 60*time.Second, "every pod is Running with an IP", running, func() string { return "" })
	for name, want := range map[string]bool{"plain": true, "ready": true, "never": false, "crash": false} {
		if got := testenv.PodReady(get(name)); got != want {
			t.Errorf("pod %s Ready = %v, want %v", name, got, want)
		}
	}
	cs := get("crash").Status.ContainerStatuses
	if len(cs) != 1 || cs[0].State.Waiting == nil || cs[0].State.Waiting.Reason != "CrashLoopBackOff" || cs[0].RestartCount == 0 {
		t.Errorf("crashloop pod container status %+v; want waiting in CrashLoopBackOff after restarts", cs)
	}
	cs = get("never").Status.ContainerStatuses
	if len(cs) != 1 || cs[0].State.Running == nil || cs[0].Ready {
		t.Errorf("never-ready pod container status %+v; want running and not ready", cs)
	}
	eventually(t, 60*time.Second, "slow pod becomes Ready", func(context.Context) (bool, error) {
		return testenv.PodReady(get("slow")), nil
	}, func() string { return fmt.Sprintf("%+v", get("slow").Status.Conditions) })
	// Server timestamps have whole seconds: 6s may read as 5.
	slow := get("slow")
	for _, cond := range slow.Status.Conditions {
		if cond.Type == corev1.PodReady {
			if took := cond.LastTransitionTime.Sub(slow.CreationTimestamp.Time); took < 5*time.Second {
				t.Errorf("slow pod Ready %s after creation; its annotation asks for 6s", took)
			}
		}
	}
	// The others keep their state: never-ready and crashloop pods never
	// turn Ready by themselves.
	time.Sleep(2 * time.Second)
	if testenv.PodReady(get("never")) || testenv.PodReady(get("crash")) {
		t.Error("a never-ready or crashloop pod became Ready")
	}
}

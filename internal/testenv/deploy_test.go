package testenv_test

import (
	"context"
	"fmt"
	"github.com/usecapsule/capsule/internal/testenv/kubeclient"
	"strings"
	"testing"
	"time"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
	"k8s.io/client-go/kubernetes"

	"github.com/usecapsule/capsule/internal/testenv"
)

func deployment(name, image string, replicas int32, labels map[string]string) *appsv1.Deployment {
	sel := map[string]string{"app": name}
	podLabels := map[string]string{"app": name}
	for k, v := range labels {
		podLabels[k] = v
	}
	zero := intstr.FromInt32(0)
	one := intstr.FromInt32(1)
	return &appsv1.Deployment{
		ObjectMeta: metav1.ObjectMeta{Name: name},
		Spec: appsv1.DeploymentSpec{
			Replicas: &replicas,
			Selector: &metav1.LabelSelector{MatchLabels: sel},
			Strategy: appsv1.DeploymentStrategy{
				Type:          appsv1.RollingUpdateDeploymentStrategyType,
				RollingUpdate: &appsv1.RollingUpdateDeployment{MaxUnavailable: &zero, MaxSurge: &one},
			},
			Template: corev1.PodTemplateSpec{
				ObjectMeta: metav1.ObjectMeta{Labels: podLabels},
				Spec: corev1.PodSpec{Containers: []corev1.Container{{
					Name:  "web",
					Image: image,
					Resources: corev1.ResourceRequirements{Requests: corev1.ResourceList{
						corev1.ResourceCPU: mustQty("100m"), corev1.ResourceMemory: mustQty("64Mi"),
					}},
				}}},
			},
		},
	}
}

// rolledOut mirrors `kubectl rollout status`: the controller has seen the
// latest spec and every replica is updated and available.
func rolledOut(d *appsv1.Deployment) bool {
	s := d.Status
	return s.ObservedGeneration >= d.Generation && s.UpdatedReplicas == *d.Spec.Replicas &&
		s.Replicas == *d.Spec.Replicas && s.AvailableReplicas == *d.Spec.Replicas && s.ReadyReplicas == *d.Spec.Replicas
}

func waitRolledOut(t *testing.T, client kubernetes.Interface, ns, name string) *appsv1.Deployment {
	t.Helper()
	var d *appsv1.Deployment
	eventually(t, 90*time.Second, "deployment "+name+" rolls out", func(ctx context.Context) (bool, error) {
		var err error
		d, err = client.AppsV1().Deployments(ns).Get(ctx, name, metav1.GetOptions{})
		return err == nil && rolledOut(d), nil
	}, func() string { return fmt.Sprintf("%+v", d.Status) })
	return d
}

func TestDeploymentRollsOutAndKubectlAgrees(t *testing.T) {
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	client := kubeclient.For(t, c)
	ctx := context.Background()
	if _, err := client.AppsV1().Deployments(ns).Create(ctx, deployment("web", "nginx:1.27", 3, nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRolledOut(t, client, ns, "web")
	out, err := c.Kubectl(ctx, "-n", ns, "rollout", "status", "deployment/web", "--timeout=60s")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.Contains(string(out), "successfully rolled out") {
		t.Fatalf("kubectl rollout status said %q", out)
	}
	pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=web"})
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range pods.Items {
		if p.Spec.NodeName == "" || p.Status.PodIP == "" || p.Status.Phase != corev1.PodRunning {
			t.Errorf("pod %s: node %q ip %q phase %s, want scheduled, with an IP, running", p.Name, p.Spec.NodeName, p.Status.PodIP, p.Status.Phase)
		}
	}
}

func TestRollingUpdateToNewImageCompletes(t *testing.T) {
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	client := kubeclient.For(t, c)
	ctx := context.Background()
	if _, err := client.AppsV1().Deployments(ns).Create(ctx, deployment("api", "example/api:v1", 3, nil), metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	waitRolledOut(t, client, ns, "api")
	if _, err := c.Kubectl(ctx, "-n", ns, "set", "image", "deployment/api", "web=example/api:v2"); err != nil {
		t.Fatal(err)
	}
	if _, err := c.Kubectl(ctx, "-n", ns, "rollout", "status", "deployment/api", "--timeout=90s"); err != nil {
		t.Fatal(err)
	}
	waitRolledOut(t, client, ns, "api")
	eventually(t, 30*time.Second, "old pods are gone", func(ctx context.Context) (bool, error) {
		pods, err := client.CoreV1().Pods(ns).List(ctx, metav1.ListOptions{LabelSelector: "app=api"})
		if err != nil || len(pods.Items) != 3 {
			return false, err
		}
		for _, p := range pods.Items {
			if p.Spec.Containers[0].Image != "example/api:v2" || p.Status.Phase != corev1.PodRunning {
				return false, nil
			}
		}
		return true, nil
	}, func() string { return "pods still include v1 or not running" })
}

func TestFailingPodsExceedProgressDeadline(t *testing.T) {
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	client := kubeclient.For(t, c)
	ctx := context.Background()
	d := deployment("worker", "example/worker:v1", 2, nil)
	if _, err := client.AppsV1().Deployments(ns).Create(ctx, d, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	d = waitRolledOut(t, client, ns, "worker")
	// Roll out a version whose pods crash: with maxUnavailable 0 the old
	// pods keep serving and the rollout stalls until its deadline.
	deadline := int32(5)
	d.Spec.ProgressDeadlineSeconds = &deadline
	d.Spec.Template.Labels[testenv.SimLabel] = testenv.BehaviourCrashLoop
	d.Spec.Template.Spec.Containers[0].Image = "example/worker:broken"
	if _, err := client.AppsV1().Deployments(ns).Update(ctx, d, metav1.UpdateOptions{}); err != nil {
		t.Fatal(err)
	}
	var cond *appsv1.DeploymentCondition
	eventually(t, 90*time.Second, "rollout reports ProgressDeadlineExceeded", func(ctx context.Context) (bool, error) {
		got, err := client.AppsV1().Deployments(ns).Get(ctx, "worker", metav1.GetOptions{})
		if err != nil {
			return false, err
		}
		for i := range got.Status.Conditions {
			if got.Status.Conditions[i].Type == appsv1.DeploymentProgressing {
				cond = &got.Status.Conditions[i]
			}
		}
		return cond != nil && cond.Status == corev1.ConditionFalse && cond.Reason == "ProgressDeadlineExceeded", nil
	}, func() string { return fmt.Sprintf("%+v", cond) })
	out, err := c.Kubectl(ctx, "-n", ns, "rollout", "status", "deployment/worker", "--timeout=30s")
	if err == nil || !strings.Contains(string(out), "exceeded its progress deadline") {
		t.Fatalf("kubectl rollout status: err %v, output %q; want a failure naming the progress deadline", err, out)
	}
	got, err := client.AppsV1().Deployments(ns).Get(ctx, "worker", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if got.Status.AvailableReplicas != 2 {
		t.Errorf("available replicas = %d, want the 2 old pods still serving", got.Status.AvailableReplicas)
	}
}

func TestJobPodsComplete(t *testing.T) {
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	client := kubeclient.For(t, c)
	ctx := context.Background()
	job := &batchv1.Job{
		ObjectMeta: metav1.ObjectMeta{Name: "migrate"},
		Spec: batchv1.JobSpec{Template: corev1.PodTemplateSpec{Spec: corev1.PodSpec{
			RestartPolicy: corev1.RestartPolicyNever,
			Containers:    []corev1.Container{{Name: "migrate", Image: "example/api:v2"}},
		}}},
	}
	if _, err := client.BatchV1().Jobs(ns).Create(ctx, job, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	if out, err := c.Kubectl(ctx, "-n", ns, "wait", "--for=condition=Complete", "job/migrate", "--timeout=60s"); err != nil {
		t.Fatalf("job did not complete: %v %s", err, out)
	}
}

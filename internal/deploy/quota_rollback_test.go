package deploy

import (
	"context"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/usecapsule/capsule/internal/render"
)

// TestQuotaFullRollsBackToRunningRevision: a pod quota that leaves no room
// for the rolling update's extra pod fails revision 2, and the automatic
// rollback to revision 1 succeeds (the failed revision's ReplicaFailure
// condition, still on the Deployment until the controller sees the
// restored template, must not fail the rollback too).
func TestQuotaFullRollsBackToRunningRevision(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	res, _ := e.deploy(t, Request{Service: "full", Revision: 1, ProgressDeadline: 30 * time.Second,
		Objects: rendered(t, e.ns, webSpec("full", 1), render.Options{Image: "example/full:v1"})})
	wantPhase(t, res, PhaseRunning)
	q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "one-pod"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourcePods: resource.MustParse("1")}}}
	if _, err := e.client.CoreV1().ResourceQuotas(e.ns).Create(context.Background(), q, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	deadline := time.Now().Add(30 * time.Second)
	for {
		got, err := e.client.CoreV1().ResourceQuotas(e.ns).Get(context.Background(), "one-pod", metav1.GetOptions{})
		if err == nil && got.Status.Used.Pods().Value() == 1 {
			break
		}
		if time.Now().After(deadline) {
			t.Fatal("the quota's usage was not counted in 30s")
		}
		time.Sleep(100 * time.Millisecond)
	}
	res, _ = e.deploy(t, Request{Service: "full", Revision: 2, ProgressDeadline: 30 * time.Second,
		Objects: rendered(t, e.ns, webSpec("full", 1), render.Options{Image: "example/full:v2"})})
	wantPhase(t, res, PhaseRolledBack, "exceeded quota: one-pod", "rolled back to revision 1")
}

package deploy

import (
	"context"
	"slices"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/render"
)

func TestRollingDeployCompletesAndUpdates(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	spec := webSpec("web", 3)
	res, log := e.deploy(t, Request{Service: "web", Revision: 1, Objects: rendered(t, e.ns, spec, render.Options{Image: "example/web:v1"})})
	wantPhase(t, res, PhaseRunning)
	if res.Desired != 3 || res.Ready != 3 {
		t.Errorf("result counts %d desired, %d ready; want 3 and 3", res.Desired, res.Ready)
	}
	if got := log.phases(); got[0] != PhaseApplying || got[len(got)-1] != PhaseRunning || !slices.Contains(got, PhaseRollingOut) {
		t.Errorf("phases %v, want applying, rolling_out, running", got)
	}
	images, ready := e.podImages(t, "app.kubernetes.io/name=web")
	if images["example/web:v1"] != 3 || ready != 3 {
		t.Fatalf("cluster has pods %v with %d ready, want 3 ready example/web:v1", images, ready)
	}
	d, err := e.client.AppsV1().Deployments(e.ns).Get(context.Background(), "web", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Labels[LabelService] != "web" || d.Labels[LabelManagedBy] != "capsule" || d.Annotations[AnnotationRevision] != "1" {
		t.Errorf("deployment labels %v annotations %v lack the owner marks", d.Labels, d.Annotations)
	}
	if !appliedByCapsuleTyped(d.ManagedFields) {
		t.Errorf("deployment's managers %v do not include capsule's apply", d.ManagedFields)
	}

	res, _ = e.deploy(t, Request{Service: "web", Revision: 2, Strategy: Strategy{MaxSurge: "1", MaxUnavailable: "0"},
		Objects: rendered(t, e.ns, spec, render.Options{Image: "example/web:v2"})})
	wantPhase(t, res, PhaseRunning)
	images, ready = e.podImages(t, "app.kubernetes.io/name=web")
	if images["example/web:v2"] != 3 || len(images) != 1 || ready != 3 {
		t.Fatalf("after revision 2 the cluster has pods %v with %d ready, want only 3 ready example/web:v2", images, ready)
	}
}

func TestRecreateDeployCompletes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	spec := webSpec("batch", 2, "deploy: {strategy: recreate}")
	for rev, image := range []string{"example/batch:v1", "example/batch:v2"} {
		res, _ := e.deploy(t, Request{Service: "batch", Revision: rev + 1, Objects: rendered(t, e.ns, spec, render.Options{Image: image})})
		wantPhase(t, res, PhaseRunning)
		images, ready := e.podImages(t, "app.kubernetes.io/name=batch")
		if images[image] != 2 || len(images) != 1 || ready != 2 {
			t.Fatalf("revision %d: cluster has pods %v with %d ready, want only 2 ready %s", rev+1, images, ready, image)
		}
	}
	d, err := e.client.AppsV1().Deployments(e.ns).Get(context.Background(), "batch", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if d.Spec.Strategy.Type != "Recreate" {
		t.Errorf("deployment strategy %s, want Recreate", d.Spec.Strategy.Type)
	}
}

func TestNeverReadyPodsRollBackToPreviousRevision(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	spec := webSpec("shop", 2)
	res, _ := e.deploy(t, Request{Service: "shop", Revision: 1, Objects: rendered(t, e.ns, spec, render.Options{Image: "example/shop:v1"})})
	wantPhase(t, res, PhaseRunning)
	bad := rendered(t, e.ns, spec, render.Options{Image: "example/shop:v2"})
	simulate(t, bad, "never-ready")
	start := time.Now()
	res, log := e.deploy(t, Request{Service: "shop", Revision: 2, Objects: bad, ProgressDeadline: 8 * time.Second})
	wantPhase(t, res, PhaseRolledBack, "revision 2", "ProgressDeadlineExceeded", "never became ready", "rolled back to revision 1")
	if res.RolledBackTo != 1 {
		t.Errorf("rolled back to %d, want 1", res.RolledBackTo)
	}
	if d := time.Since(start); d < 8*time.Second {
		t.Errorf("rolled back after %s, before the 8s progress deadline", d)
	}
	if !slices.Contains(log.phases(), PhaseRollingBack) {
		t.Errorf("phases %v lack rolling_back", log.phases())
	}
	images, ready := e.podImages(t, "app.kubernetes.io/name=shop")
	if images["example/shop:v1"] != 2 || len(images) != 1 || ready != 2 {
		t.Fatalf("after the rollback the cluster has pods %v with %d ready, want only 2 ready example/shop:v1", images, ready)
	}
}

func TestCrashLoopIsNamed(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	objs := rendered(t, e.ns, webSpec("crash", 1), render.Options{Image: "example/crash:v1"})
	simulate(t, objs, "crashloop")
	res, _ := e.deploy(t, Request{Service: "crash", Revision: 1, Objects: objs, ProgressDeadline: 6 * time.Second})
	wantPhase(t, res, PhaseFailed, "keeps crashing", "CrashLoopBackOff", "exit code 1")
}

func TestUnschedulableIsNamedWithSchedulersReason(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	objs := rendered(t, e.ns, webSpec("huge", 1, "resources: {cpu: {request: '1000', limit: '1000'}, memory: {request: 1Gi, limit: 1Gi}}"), render.Options{Image: "example/huge:v1"})
	res, _ := e.deploy(t, Request{Service: "huge", Revision: 1, Objects: objs, ProgressDeadline: 6 * time.Second})
	wantPhase(t, res, PhaseFailed, "cannot be scheduled", "Unschedulable", "Insufficient cpu")
}

// withoutClaims swaps a StatefulSet's volume claim template for an
// emptyDir of the same name: the simulated cluster binds no volumes.
func withoutClaims(t *testing.T, objs []*unstructured.Unstructured) {
	t.Helper()
	for _, o := range objs {
		if o.GetKind() != "StatefulSet" {
			continue
		}
		unstructured.RemoveNestedField(o.Object, "spec", "volumeClaimTemplates")
		vols, _, _ := unstructured.NestedSlice(o.Object, "spec", "template", "spec", "volumes")
		vols = append(vols, map[string]any{"name": "data", "emptyDir": map[string]any{}})
		if err := unstructured.SetNestedSlice(o.Object, vols, "spec", "template", "spec", "volumes"); err != nil {
			t.Fatal(err)
		}
	}
}

func TestStatefulSetRollingUpdateCompletes(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	spec := webSpec("search", 3, "type: api", "storage: {size: 1Gi, mountPath: /data}")
	for rev, image := range []string{"example/search:v1", "example/search:v2"} {
		objs := rendered(t, e.ns, spec, render.Options{Image: image})
		withoutClaims(t, objs)
		res, _ := e.deploy(t, Request{Service: "search", Revision: rev + 1, Objects: objs})
		wantPhase(t, res, PhaseRunning)
		images, ready := e.podImages(t, "app.kubernetes.io/name=search")
		if images[image] != 3 || len(images) != 1 || ready != 3 {
			t.Fatalf("revision %d: the cluster has %v with %d ready, want 3 ready %s", rev+1, images, ready, image)
		}
	}
}

func TestRollbackUsesTheCallersPreviousRevision(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	spec := webSpec("news", 1)
	v1 := Request{Namespace: e.ns, Service: "news", Revision: 1, Objects: rendered(t, e.ns, spec, render.Options{Image: "example/news:v1"})}
	res, _ := e.deploy(t, v1)
	wantPhase(t, res, PhaseRunning)
	// Without the release record only the caller knows the last good revision.
	if err := e.client.CoreV1().Secrets(e.ns).Delete(context.Background(), releaseName("news"), metav1.DeleteOptions{}); err != nil {
		t.Fatal(err)
	}
	bad := rendered(t, e.ns, spec, render.Options{Image: "example/news:v2"})
	simulate(t, bad, "crashloop")
	// The rollback keeps the previous request's own deadline: a short one
	// for the bad revision only, so a loaded machine cannot fail the
	// rollback itself.
	prev := v1
	prev.ProgressDeadline = time.Minute
	res, _ = e.deploy(t, Request{Service: "news", Revision: 2, Objects: bad, ProgressDeadline: 5 * time.Second, Previous: &prev})
	wantPhase(t, res, PhaseRolledBack, "CrashLoopBackOff", "rolled back to revision 1")
	if images, ready := e.podImages(t, "app.kubernetes.io/name=news"); images["example/news:v1"] != 1 || len(images) != 1 || ready != 1 {
		t.Errorf("after the rollback the cluster has %v with %d ready, want 1 ready v1", images, ready)
	}
}

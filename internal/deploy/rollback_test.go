package deploy

import (
	"context"
	"strings"
	"testing"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/usecapsule/capsule/internal/render"
)

func TestManualRollbackThenScale(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ctx := context.Background()
	v1 := Request{Service: "cart", Revision: 1, Objects: rendered(t, e.ns, webSpec("cart", 2, "env: {MODE: one}"), render.Options{Image: "example/cart:v1"})}
	res, _ := e.deploy(t, v1)
	wantPhase(t, res, PhaseRunning)
	res, _ = e.deploy(t, Request{Service: "cart", Revision: 2, Objects: rendered(t, e.ns, webSpec("cart", 2), render.Options{Image: "example/cart:v2"})})
	wantPhase(t, res, PhaseRunning)

	v1.Namespace = e.ns
	res, err := e.engine.Rollback(ctx, v1, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantPhase(t, res, PhaseRunning, "rolled back cart to revision 1")
	images, ready := e.podImages(t, "app.kubernetes.io/name=cart")
	if images["example/cart:v1"] != 2 || len(images) != 1 || ready != 2 {
		t.Fatalf("after the rollback the cluster has %v with %d ready, want 2 ready v1", images, ready)
	}
	if cm, err := e.client.CoreV1().ConfigMaps(e.ns).Get(ctx, "cart-env", metav1.GetOptions{}); err != nil || cm.Data["MODE"] != "one" {
		t.Errorf("revision 1's ConfigMap after the rollback: %v %v", cm, err)
	}

	res, err = e.engine.Scale(ctx, e.ns, "cart", 4, 0, nil)
	if err != nil {
		t.Fatal(err)
	}
	wantPhase(t, res, PhaseRunning, "scaled to 4")
	if images, ready := e.podImages(t, "app.kubernetes.io/name=cart"); images["example/cart:v1"] != 4 || ready != 4 {
		t.Fatalf("after scaling the cluster has %v with %d ready, want 4 ready v1", images, ready)
	}
	// The scale was Capsule's own apply: the next deploy takes the count
	// back without a conflict.
	res, _ = e.deploy(t, Request{Service: "cart", Revision: 3, Objects: rendered(t, e.ns, webSpec("cart", 2), render.Options{Image: "example/cart:v3"})})
	wantPhase(t, res, PhaseRunning)
	if res.Desired != 2 {
		t.Errorf("after the next deploy %d pods are desired, want the rendered 2", res.Desired)
	}
}

func TestScaleRefusals(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ctx := context.Background()
	if _, err := e.engine.Scale(ctx, e.ns, "ghost", 2, 0, nil); err == nil || !strings.Contains(err.Error(), "no running revision") {
		t.Errorf("scaling a service never deployed: %v", err)
	}
	res, _ := e.deploy(t, Request{Service: "auto", Revision: 1, Objects: rendered(t, e.ns, webSpec("auto", 1, "scaling: {minReplicas: 1, maxReplicas: 3}"), render.Options{Image: "example/auto:v1"})})
	wantPhase(t, res, PhaseRunning)
	if _, err := e.engine.Scale(ctx, e.ns, "auto", 2, 0, nil); err == nil || !strings.Contains(err.Error(), "HorizontalPodAutoscaler auto") {
		t.Errorf("scaling an autoscaled service: %v, want a refusal naming its autoscaler", err)
	}
	if _, err := e.engine.Scale(ctx, e.ns, "auto", -1, 0, nil); err == nil || !strings.Contains(err.Error(), "want 0 to 1000") {
		t.Errorf("scaling to -1: %v", err)
	}
}

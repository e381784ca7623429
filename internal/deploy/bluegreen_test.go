package deploy

import (
	"context"
	"testing"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/usecapsule/capsule/internal/render"
)

func (e *env) selectedColor(t *testing.T, service string) string {
	t.Helper()
	s, err := e.client.CoreV1().Services(e.ns).Get(context.Background(), service, metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	return s.Spec.Selector[render.LabelSlot]
}

func TestBlueGreenSwitchesWhenReadyAndSwitchesBackInstantly(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ctx := context.Background()
	spec := webSpec("portal", 2, "deploy: {strategy: blue-green}")
	res, _ := e.deploy(t, Request{Service: "portal", Revision: 1, Objects: rendered(t, e.ns, spec, render.Options{Image: "example/portal:v1"})})
	wantPhase(t, res, PhaseRunning)
	if res.Color != "blue" || e.selectedColor(t, "portal") != "blue" {
		t.Fatalf("first deploy: colour %q, Service selects %q; want blue", res.Color, e.selectedColor(t, "portal"))
	}
	res, log := e.deploy(t, Request{Service: "portal", Revision: 2, Objects: rendered(t, e.ns, spec, render.Options{Image: "example/portal:v2"})})
	wantPhase(t, res, PhaseRunning)
	if res.Color != "green" || res.IdleColor != "blue" || time.Until(res.RetireAfter) < 9*time.Minute {
		t.Errorf("second deploy: colour %q idle %q retire after %s; want green, blue kept ~10 min", res.Color, res.IdleColor, res.RetireAfter)
	}
	if got := e.selectedColor(t, "portal"); got != "green" {
		t.Fatalf("Service selects %q after the switch, want green", got)
	}
	if got := e.selectedColor(t, "portal-preview"); got != "blue" {
		t.Errorf("preview Service selects %q, want blue", got)
	}
	sawSwitch := false
	for _, p := range log.all {
		if p.Phase == PhaseSwitching {
			sawSwitch = p.Ready == p.Desired && p.Desired == 2
		}
	}
	if !sawSwitch {
		t.Errorf("no switch reported with every green pod ready: %v", log.all)
	}
	if images, ready := e.podImages(t, "capsule.dev/slot=green"); images["example/portal:v2"] != 2 || ready != 2 {
		t.Errorf("green pods %v, %d ready; want 2 ready v2", images, ready)
	}
	if images, ready := e.podImages(t, "capsule.dev/slot=blue"); images["example/portal:v1"] != 2 || ready != 2 {
		t.Errorf("blue pods %v, %d ready; want the 2 v1 pods kept", images, ready)
	}

	back, err := e.engine.SwitchBack(ctx, e.ns, "portal")
	if err != nil {
		t.Fatal(err)
	}
	if back.Revision != 1 || back.Color != "blue" || e.selectedColor(t, "portal") != "blue" {
		t.Fatalf("switch back: revision %d colour %q, Service selects %q; want revision 1 on blue", back.Revision, back.Color, e.selectedColor(t, "portal"))
	}
	if back, err = e.engine.SwitchBack(ctx, e.ns, "portal"); err != nil || back.Revision != 2 || e.selectedColor(t, "portal") != "green" {
		t.Fatalf("switching back again: %v, revision %d, Service selects %q; want revision 2 on green", err, back.Revision, e.selectedColor(t, "portal"))
	}
	removed, err := e.engine.RetireIdle(ctx, e.ns, "portal")
	if err != nil || len(removed) == 0 {
		t.Fatalf("retire: %v %v", removed, err)
	}
	if _, err := e.client.AppsV1().Deployments(e.ns).Get(ctx, "portal-blue", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("portal-blue after retiring: %v, want not found", err)
	}
	if _, err := e.client.PolicyV1().PodDisruptionBudgets(e.ns).Get(ctx, "portal-blue", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the blue colour's disruption budget after retiring: %v, want not found", err)
	}
	if _, err := e.client.PolicyV1().PodDisruptionBudgets(e.ns).Get(ctx, "portal-green", metav1.GetOptions{}); err != nil {
		t.Errorf("the live colour's disruption budget: %v", err)
	}
	if _, err := e.engine.SwitchBack(ctx, e.ns, "portal"); err == nil {
		t.Error("switched back to a retired colour")
	}
}

func TestBlueGreenRemovesOldColourAtOnceWhenNotKept(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	spec := webSpec("docs", 1, "deploy: {strategy: blue-green}")
	for rev := 1; rev <= 2; rev++ {
		res, _ := e.deploy(t, Request{Service: "docs", Revision: rev, Strategy: Strategy{KeepOld: -1},
			Objects: rendered(t, e.ns, spec, render.Options{Image: "example/docs:v" + string(rune('0'+rev))})})
		wantPhase(t, res, PhaseRunning)
	}
	if _, err := e.client.AppsV1().Deployments(e.ns).Get(context.Background(), "docs-blue", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("docs-blue after the switch without keeping: %v, want not found", err)
	}
	if got := e.selectedColor(t, "docs"); got != "green" {
		t.Errorf("Service selects %q, want green", got)
	}
}

func TestBlueGreenFailureKeepsTheLiveColour(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	spec := webSpec("pay", 2, "deploy: {strategy: blue-green}")
	res, _ := e.deploy(t, Request{Service: "pay", Revision: 1, Objects: rendered(t, e.ns, spec, render.Options{Image: "example/pay:v1"})})
	wantPhase(t, res, PhaseRunning)
	bad := rendered(t, e.ns, spec, render.Options{Image: "example/pay:v2"})
	simulate(t, bad, "never-ready")
	res, _ = e.deploy(t, Request{Service: "pay", Revision: 2, Objects: bad, ProgressDeadline: 6 * time.Second})
	wantPhase(t, res, PhaseRolledBack, "never became ready", "the blue colour kept serving")
	if got := e.selectedColor(t, "pay"); got != "blue" {
		t.Errorf("Service selects %q after a failed green, want blue", got)
	}
	if _, err := e.client.AppsV1().Deployments(e.ns).Get(context.Background(), "pay-green", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the failed pay-green: %v, want removed", err)
	}
	if _, err := e.client.PolicyV1().PodDisruptionBudgets(e.ns).Get(context.Background(), "pay-green", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the failed colour's disruption budget: %v, want removed", err)
	}
}

package deploy

import (
	"context"
	"errors"
	"slices"
	"strings"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	apierrors "k8s.io/apimachinery/pkg/api/errors"
	"k8s.io/apimachinery/pkg/api/resource"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	applycorev1 "k8s.io/client-go/applyconfigurations/core/v1"

	"github.com/usecapsule/capsule/internal/render"
)

func TestPruneRemovesObjectsThatLeftTheSet(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ctx := context.Background()
	withEnv := webSpec("api", 1, "env: {LOG_LEVEL: debug}")
	res, _ := e.deploy(t, Request{Service: "api", Revision: 1, Objects: rendered(t, e.ns, withEnv, render.Options{Image: "example/api:v1"})})
	wantPhase(t, res, PhaseRunning)
	if _, err := e.client.CoreV1().ConfigMaps(e.ns).Get(ctx, "api-env", metav1.GetOptions{}); err != nil {
		t.Fatalf("revision 1's ConfigMap: %v", err)
	}
	// Someone else's ConfigMap with the same labels is not Capsule's to
	// delete: it was never applied by Capsule's field manager.
	foreign := &corev1.ConfigMap{ObjectMeta: metav1.ObjectMeta{Name: "hand-made", Labels: map[string]string{LabelManagedBy: "capsule", LabelService: "api"}}}
	if _, err := e.client.CoreV1().ConfigMaps(e.ns).Create(ctx, foreign, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	res, _ = e.deploy(t, Request{Service: "api", Revision: 2, Objects: rendered(t, e.ns, webSpec("api", 1), render.Options{Image: "example/api:v1"})})
	wantPhase(t, res, PhaseRunning)
	if !slices.Contains(res.Pruned, ObjectRef{Kind: "ConfigMap", Namespace: e.ns, Name: "api-env"}) {
		t.Errorf("pruned %v, want the ConfigMap api-env", res.Pruned)
	}
	if _, err := e.client.CoreV1().ConfigMaps(e.ns).Get(ctx, "api-env", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("ConfigMap api-env after it left the set: %v, want not found", err)
	}
	if _, err := e.client.CoreV1().ConfigMaps(e.ns).Get(ctx, "hand-made", metav1.GetOptions{}); err != nil {
		t.Errorf("a ConfigMap Capsule never applied was pruned: %v", err)
	}
	if _, err := e.client.CoreV1().Secrets(e.ns).Get(ctx, releaseName("api"), metav1.GetOptions{}); err != nil {
		t.Errorf("the release record was pruned: %v", err)
	}
}

func TestConflictWithAnotherManagerIsRefusedUnlessForced(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ctx := context.Background()
	cm := applycorev1.ConfigMap("site-env", e.ns).WithData(map[string]string{"LOG_LEVEL": "warn"})
	if _, err := e.client.CoreV1().ConfigMaps(e.ns).Apply(ctx, cm, metav1.ApplyOptions{FieldManager: "ops-team"}); err != nil {
		t.Fatal(err)
	}
	objs := rendered(t, e.ns, webSpec("site", 1, "env: {LOG_LEVEL: debug}"), render.Options{Image: "example/site:v1"})
	res, err := e.engine.Deploy(ctx, Request{Namespace: e.ns, Service: "site", Revision: 1, Objects: objs}, nil)
	var ce *ConflictError
	if !errors.As(err, &ce) {
		t.Fatalf("deploy over another manager's field: %v, want a ConflictError", err)
	}
	for _, s := range []string{"ConfigMap " + e.ns + "/site-env", `"ops-team"`, ".data.LOG_LEVEL", "forced"} {
		if !strings.Contains(err.Error(), s) {
			t.Errorf("error %q does not name %s", err, s)
		}
	}
	if res.Phase != PhaseFailed || len(res.Applied) != 0 {
		t.Errorf("result phase %s applied %v, want failed with nothing applied", res.Phase, res.Applied)
	}
	if _, err := e.client.AppsV1().Deployments(e.ns).Get(ctx, "site", metav1.GetOptions{}); !apierrors.IsNotFound(err) {
		t.Errorf("the Deployment was created although the deploy was refused: %v", err)
	}
	res, _ = e.deploy(t, Request{Service: "site", Revision: 1, Objects: objs, Force: true})
	wantPhase(t, res, PhaseRunning)
	got, err := e.client.CoreV1().ConfigMaps(e.ns).Get(ctx, "site-env", metav1.GetOptions{})
	if err != nil || got.Data["LOG_LEVEL"] != "debug" {
		t.Fatalf("after a forced deploy the ConfigMap is %v (%v), want LOG_LEVEL=debug", got.Data, err)
	}
}

func TestQuotaRejectionNamesTheQuota(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	q := &corev1.ResourceQuota{ObjectMeta: metav1.ObjectMeta{Name: "team-budget"},
		Spec: corev1.ResourceQuotaSpec{Hard: corev1.ResourceList{corev1.ResourceRequestsCPU: resource.MustParse("10m")}}}
	if _, err := e.client.CoreV1().ResourceQuotas(e.ns).Create(context.Background(), q, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	objs := rendered(t, e.ns, webSpec("greedy", 1), render.Options{Image: "example/greedy:v1"})
	res, _ := e.deploy(t, Request{Service: "greedy", Revision: 1, Objects: objs, ProgressDeadline: 30 * time.Second})
	wantPhase(t, res, PhaseFailed, "cannot create pods", "exceeded quota: team-budget")
}

func TestBadRequestsAreRefusedByName(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	objs := rendered(t, e.ns, webSpec("x", 1), render.Options{Image: "example/x:v1"})
	other := rendered(t, "elsewhere", webSpec("x", 1), render.Options{Image: "example/x:v1"})
	for _, c := range []struct {
		req  Request
		want string
	}{
		{Request{Namespace: e.ns, Service: "Bad_Name", Revision: 1, Objects: objs}, `service name "Bad_Name"`},
		{Request{Namespace: e.ns, Service: "x", Revision: 0, Objects: objs}, "revisions start at 1"},
		{Request{Namespace: e.ns, Service: "x", Revision: 1}, "has no objects"},
		{Request{Namespace: e.ns, Service: "x", Revision: 1, Objects: other}, "outside the deploy's namespace"},
		{Request{Namespace: e.ns, Service: "x", Revision: 1, Objects: objs, Strategy: Strategy{Type: "yolo"}}, `unknown strategy "yolo"`},
		{Request{Namespace: e.ns, Service: "x", Revision: 1, Objects: objs, Strategy: Strategy{Type: StrategyCanary}}, "rendered for rolling"},
		{Request{Namespace: e.ns, Service: "x", Revision: 1, Objects: objs, Strategy: Strategy{MaxSurge: "lots"}}, `maxSurge "lots"`},
	} {
		res, err := e.engine.Deploy(context.Background(), c.req, nil)
		if err == nil || !strings.Contains(err.Error(), c.want) || res.Phase != PhaseFailed {
			t.Errorf("%s: error %v phase %s, want failed naming %q", c.want, err, res.Phase, c.want)
		}
	}
}

func TestCronServiceHasNoRolloutToWaitFor(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	objs := rendered(t, e.ns, "name: nightly\ntype: cron\nschedule: \"0 3 * * *\"\nstart: bin/report\nresources: {preset: small}\n", render.Options{Image: "example/nightly:v1"})
	res, _ := e.deploy(t, Request{Service: "nightly", Revision: 1, Objects: objs})
	wantPhase(t, res, PhaseRunning, "no long-running pods")
	cj, err := e.client.BatchV1().CronJobs(e.ns).Get(context.Background(), "nightly", metav1.GetOptions{})
	if err != nil || cj.Spec.Schedule != "0 3 * * *" {
		t.Fatalf("CronJob after the deploy: %v %v", cj, err)
	}
}

func TestPruneNeverDeletesVolumeClaims(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ctx := context.Background()
	objs := rendered(t, e.ns, webSpec("files", 1), render.Options{Image: "example/files:v1"})
	claim := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": map[string]any{"name": "uploads"},
		"spec": map[string]any{"accessModes": []any{"ReadWriteOnce"}, "resources": map[string]any{"requests": map[string]any{"storage": "1Gi"}}},
	}}
	res, _ := e.deploy(t, Request{Service: "files", Revision: 1, Objects: append(objs, claim)})
	wantPhase(t, res, PhaseRunning)
	res, _ = e.deploy(t, Request{Service: "files", Revision: 2, Objects: rendered(t, e.ns, webSpec("files", 1), render.Options{Image: "example/files:v1"})})
	wantPhase(t, res, PhaseRunning)
	if _, err := e.client.CoreV1().PersistentVolumeClaims(e.ns).Get(ctx, "uploads", metav1.GetOptions{}); err != nil {
		t.Errorf("the volume claim that left the set was deleted: %v", err)
	}
}

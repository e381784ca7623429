package deploy

import (
	"context"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"

	"github.com/usecapsule/capsule/internal/render"
)

func TestMigrationRunsBeforeTheRollout(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	objs := rendered(t, e.ns, webSpec("blog", 1, "env: {DB: main}"), render.Options{Image: "example/blog:v1"})
	res, log := e.deploy(t, Request{Service: "blog", Revision: 1, Objects: objs, Migration: &Migration{Command: []string{"bin/migrate"}}})
	wantPhase(t, res, PhaseRunning)
	jobs, err := e.client.BatchV1().Jobs(e.ns).List(context.Background(), metav1.ListOptions{LabelSelector: LabelMigrationOf + "=blog"})
	if err != nil || len(jobs.Items) != 1 {
		t.Fatalf("migration jobs: %v %v", jobs, err)
	}
	j := jobs.Items[0]
	if j.Status.Succeeded != 1 || j.Spec.Template.Spec.Containers[0].Command[0] != "bin/migrate" || j.Spec.Template.Spec.Containers[0].Image != "example/blog:v1" {
		t.Errorf("job %s: succeeded %d, container %+v", j.Name, j.Status.Succeeded, j.Spec.Template.Spec.Containers[0])
	}
	if _, ok := j.Spec.Template.Labels[render.LabelName]; ok {
		t.Errorf("the migration pod carries the Service's selector labels %v", j.Spec.Template.Labels)
	}
	phases := log.phases()
	if len(phases) < 3 || phases[1] != PhaseMigrating || phases[2] != PhaseRollingOut {
		t.Errorf("phases %v, want the migration before the rollout", phases)
	}
}

func TestFailedMigrationStopsTheDeployBeforeAnyWorkloadChanges(t *testing.T) {
	t.Parallel()
	e := newEnv(t, Options{})
	ctx := context.Background()
	res, _ := e.deploy(t, Request{Service: "shop", Revision: 1, Objects: rendered(t, e.ns, webSpec("shop", 1, "env: {DB: v1}"), render.Options{Image: "example/shop:v1"})})
	wantPhase(t, res, PhaseRunning)
	bad := rendered(t, e.ns, webSpec("shop", 1, "env: {DB: v2}"), render.Options{Image: "example/shop:v2"})
	simulate(t, bad, "crashloop") // the migration pod copies the workload's pod
	res, _ = e.deploy(t, Request{Service: "shop", Revision: 2, Objects: bad, Migration: &Migration{Command: []string{"rake", "db:migrate"}, Timeout: 4 * time.Second}})
	wantPhase(t, res, PhaseFailed, "migration Job shop-migrate-2-", "DeadlineExceeded", "keeps crashing", "no workload was changed", "revision 1's configuration was restored")
	d, err := e.client.AppsV1().Deployments(e.ns).Get(ctx, "shop", metav1.GetOptions{})
	if err != nil {
		t.Fatal(err)
	}
	if img := d.Spec.Template.Spec.Containers[0].Image; img != "example/shop:v1" || d.Annotations[AnnotationRevision] != "1" {
		t.Errorf("the Deployment changed although the migration failed: image %s revision %s", img, d.Annotations[AnnotationRevision])
	}
	if cm, err := e.client.CoreV1().ConfigMaps(e.ns).Get(ctx, "shop-env", metav1.GetOptions{}); err != nil || cm.Data["DB"] != "v1" {
		t.Errorf("ConfigMap after the failed migration: %v %v, want revision 1's DB=v1", cm.Data, err)
	}
}

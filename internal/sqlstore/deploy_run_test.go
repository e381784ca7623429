package sqlstore_test

import (
	"context"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/jobs"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// TestDeployRuns: StartDeployment numbers releases per service and
// environment and commits the record, its run and its job together;
// progress writes replica counts and completes on a final status;
// Releases lists what rolled out with kept objects, newest first.
func TestDeployRuns(t *testing.T) {
	forEachDialect(t, []storeCase{{name: "runs", run: func(t *testing.T, s *sqlstore.Store) {
		ctx := context.Background()
		f := newFixture(t, s)
		start := func(image string) (*capsule.Deployment, *jobs.Job) {
			d := &capsule.Deployment{ServiceID: f.service.ID, EnvironmentID: f.env.ID, Version: image, Replicas: capsule.Replicas{Desired: 2}}
			j := &jobs.Job{Kind: "deploy", Key: "service:" + f.service.ID + "/env:" + f.env.ID, Payload: []byte("{}")}
			must(t, s.StartDeployment(ctx, d, &sqlstore.DeployRun{Action: "deploy", Image: image, Namespace: "staging"}, j))
			return d, j
		}
		d1, j1 := start("web:1")
		d2, _ := start("web:2")
		if d1.Revision != 1 || d2.Revision != 2 || d1.Status != capsule.DeploymentPending || j1.Subject != d1.ID {
			t.Fatalf("started: %+v %+v job %+v", d1, d2, j1)
		}
		run, err := s.FindDeployRun(ctx, d1.ID)
		must(t, err)
		if run.JobID != j1.ID || run.Image != "web:1" || len(run.Objects) != 0 {
			t.Fatalf("run: %+v", run)
		}
		if rels, err := s.Releases(ctx, f.service.ID, f.env.ID); err != nil || len(rels) != 0 {
			t.Fatalf("releases before any rolled out: %v %v", rels, err)
		}
		for _, d := range []*capsule.Deployment{d1, d2} {
			must(t, s.SetDeployRunObjects(ctx, d.ID, "staging", []byte(`[{"kind":"Deployment"}]`)))
			got, err := s.UpdateDeploymentProgress(ctx, d.ID, capsule.DeploymentDeploying, "rolling_out", capsule.Replicas{Desired: 2, Running: 1})
			must(t, err)
			if got.CompletedAt != nil || got.Replicas.Running != 1 {
				t.Fatalf("deploying: %+v", got)
			}
			got, err = s.UpdateDeploymentProgress(ctx, d.ID, capsule.DeploymentRunning, "running", capsule.Replicas{Desired: 2, Running: 2, Ready: 2})
			must(t, err)
			if got.CompletedAt == nil || got.Replicas.Ready != 2 || got.Message != "running" {
				t.Fatalf("running: %+v", got)
			}
		}
		rels, err := s.Releases(ctx, f.service.ID, f.env.ID)
		must(t, err)
		if len(rels) != 2 || rels[0].DeploymentID != d2.ID || rels[1].Revision != 1 {
			t.Fatalf("releases: %+v", rels)
		}
		_, err = s.UpdateDeploymentProgress(ctx, d1.ID, "sideways", "", capsule.Replicas{})
		wantCode(t, err, capsule.CodeValidation)
		_, err = s.FindDeployRun(ctx, "00000000-0000-0000-0000-000000000000")
		wantCode(t, err, "DEPLOYMENT_NOT_FOUND")
	}}})
}

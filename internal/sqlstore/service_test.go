package sqlstore_test

import (
	"context"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestStoreServices(t *testing.T) {
	forEachDialect(t, []storeCase{
		{"crud", testServices},
		{"revisions", testRevisions},
		{"deployments", testDeployments},
	})
}

func testServices(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	got, err := s.FindService(ctx, f.service.ID)
	must(t, err)
	equal(t, got, f.service)
	if got.Revision != 1 || got.Status != "inactive" || got.Config.Scaling.MinReplicas != 1 {
		t.Fatalf("defaults not stored: %+v", got)
	}
	e := wantCode(t, s.CreateService(ctx, &capsule.Service{ProjectID: f.project.ID, Name: "api", Type: capsule.ServiceWeb}, ""),
		"SERVICE_ALREADY_EXISTS")
	if e.Details["field"] != "name" {
		t.Fatalf("duplicate error names field %v", e.Details["field"])
	}
	worker := newService(t, s, f.project.ID, "worker")
	worker.Type, worker.Status = capsule.ServiceWorker, "running"
	must(t, s.UpdateService(ctx, worker, "bob"))
	for _, c := range []struct {
		filter capsule.ServiceFilter
		want   int
	}{
		{capsule.ServiceFilter{ProjectID: f.project.ID}, 2},
		{capsule.ServiceFilter{Type: capsule.ServiceWorker}, 1},
		{capsule.ServiceFilter{Status: "running"}, 1},
		{capsule.ServiceFilter{Status: "running", Type: capsule.ServiceAPI}, 0},
		{capsule.ServiceFilter{OrganizationIDs: []string{f.org.ID}}, 2},
		{capsule.ServiceFilter{OrganizationIDs: []string{"0190c9d4-0000-7000-8000-000000000000"}}, 0},
	} {
		list, err := s.ListServices(ctx, c.filter)
		must(t, err)
		if len(list.Items) != c.want {
			t.Fatalf("filter %+v: %d services, want %d", c.filter, len(list.Items), c.want)
		}
	}
	must(t, s.DeleteService(ctx, worker.ID))
	_, err = s.FindService(ctx, worker.ID)
	wantCode(t, err, "SERVICE_NOT_FOUND")
	_, err = s.ListServiceRevisions(ctx, worker.ID, capsule.Page{})
	wantCode(t, err, "SERVICE_NOT_FOUND")
}

func testRevisions(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	sv := f.service
	rev, err := s.FindServiceRevision(ctx, sv.ID, 1)
	must(t, err)
	if rev.CreatedBy != "alice" || rev.Type != sv.Type || rev.Config.Networking.Port != 8080 || !rev.CreatedAt.Equal(sv.CreatedAt) {
		t.Fatalf("revision 1: %+v", rev)
	}
	equal(t, rev.Config, sv.Config)

	// A status change is not a configuration change: no revision.
	sv.Status = "running"
	must(t, s.UpdateService(ctx, sv, "bob"))
	if sv.Revision != 1 || sv.Version != 2 {
		t.Fatalf("after status change: revision %d version %d, want 1 and 2", sv.Revision, sv.Version)
	}
	// Rewriting the same configuration is not a change either.
	must(t, s.UpdateService(ctx, sv, "bob"))
	if sv.Revision != 1 {
		t.Fatalf("identical update created revision %d", sv.Revision)
	}
	sv.Config.Env["LOG_LEVEL"] = "debug"
	must(t, s.UpdateService(ctx, sv, "bob"))
	sv.Source.StartCommand = "./server"
	must(t, s.UpdateService(ctx, sv, "carol"))
	sv.Type = capsule.ServiceWeb
	must(t, s.UpdateService(ctx, sv, "dave"))
	if sv.Revision != 4 || sv.Version != 6 {
		t.Fatalf("revision %d version %d, want 4 and 6", sv.Revision, sv.Version)
	}
	stored, err := s.FindService(ctx, sv.ID)
	must(t, err)
	equal(t, stored, sv)

	page, err := s.ListServiceRevisions(ctx, sv.ID, capsule.Page{Limit: 3})
	must(t, err)
	if len(page.Items) != 3 || page.NextCursor == "" || page.Items[0].Number != 1 || page.Items[2].Number != 3 {
		t.Fatalf("first page of revisions: %+v", page)
	}
	page, err = s.ListServiceRevisions(ctx, sv.ID, capsule.Page{Limit: 3, Cursor: page.NextCursor})
	must(t, err)
	if len(page.Items) != 1 || page.NextCursor != "" || page.Items[0].Number != 4 || page.Items[0].CreatedBy != "dave" {
		t.Fatalf("second page of revisions: %+v", page)
	}
	two, err := s.FindServiceRevision(ctx, sv.ID, 2)
	must(t, err)
	if two.Config.Env["LOG_LEVEL"] != "debug" || two.Source.StartCommand != "" {
		t.Fatalf("revision 2 is not the snapshot of its time: %+v", two)
	}
	_, err = s.FindServiceRevision(ctx, sv.ID, 5)
	wantCode(t, err, "REVISION_NOT_FOUND")
	_, err = s.ListServiceRevisions(ctx, sv.ID, capsule.Page{Cursor: "!!"})
	wantCode(t, err, capsule.CodeValidation)
}

func testDeployments(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	first := newDeployment(t, s, f, "")
	got, err := s.FindDeployment(ctx, first.ID)
	must(t, err)
	equal(t, got, first)
	if got.Status != capsule.DeploymentPending || got.Revision != 1 || got.CompletedAt != nil {
		t.Fatalf("defaults not stored: %+v", got)
	}
	second := newDeployment(t, s, f, capsule.DeploymentBuilding)
	done, err := s.UpdateDeploymentStatus(ctx, second.ID, capsule.DeploymentRunning, "rolled out")
	must(t, err)
	if done.Status != capsule.DeploymentRunning || done.Message != "rolled out" || done.CompletedAt == nil {
		t.Fatalf("after completion: %+v", done)
	}
	again, err := s.FindDeployment(ctx, second.ID)
	must(t, err)
	equal(t, again, done)
	_, err = s.UpdateDeploymentStatus(ctx, second.ID, "exploded", "")
	wantCode(t, err, capsule.CodeValidation)

	list, err := s.ListDeployments(ctx, capsule.DeploymentFilter{ServiceID: f.service.ID})
	must(t, err)
	if len(list.Items) != 2 || list.Items[0].ID != second.ID {
		t.Fatalf("deployments not newest first: %+v", list.Items)
	}
	for _, c := range []struct {
		filter capsule.DeploymentFilter
		want   int
	}{
		{capsule.DeploymentFilter{EnvironmentID: f.env.ID}, 2},
		{capsule.DeploymentFilter{ProjectID: f.project.ID}, 2},
		{capsule.DeploymentFilter{Status: capsule.DeploymentPending}, 1},
		{capsule.DeploymentFilter{OrganizationIDs: []string{f.org.ID}, Status: capsule.DeploymentRunning}, 1},
		{capsule.DeploymentFilter{OrganizationIDs: []string{}}, 0},
	} {
		list, err := s.ListDeployments(ctx, c.filter)
		must(t, err)
		if len(list.Items) != c.want {
			t.Fatalf("filter %+v: %d deployments, want %d", c.filter, len(list.Items), c.want)
		}
	}

	other := newFixture(t, s)
	wrong := &capsule.Deployment{ServiceID: f.service.ID, EnvironmentID: other.env.ID, Version: "v1"}
	wantCode(t, s.CreateDeployment(ctx, wrong), capsule.CodeValidation)
	missing := &capsule.Deployment{ServiceID: f.service.ID, EnvironmentID: "0190c9d4-0000-7000-8000-000000000000", Version: "v1"}
	wantCode(t, s.CreateDeployment(ctx, missing), "ENVIRONMENT_NOT_FOUND")
	future := &capsule.Deployment{ServiceID: f.service.ID, EnvironmentID: f.env.ID, Version: "v1", Revision: 9}
	wantCode(t, s.CreateDeployment(ctx, future), capsule.CodeValidation)

	// Deleting an environment deletes its deployment records.
	must(t, s.DeleteEnvironment(ctx, f.env.ID))
	_, err = s.FindDeployment(ctx, first.ID)
	wantCode(t, err, "DEPLOYMENT_NOT_FOUND")
}

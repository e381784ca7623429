package sqlstore_test

import (
	"context"
	"fmt"
	"sync"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestStoreBehaviour(t *testing.T) {
	forEachDialect(t, []storeCase{
		{"pagination", testPagination},
		{"sql metacharacters", testMetacharacters},
		{"cascade delete", testCascade},
		{"stale version", testStaleVersion},
		{"concurrent updates", testConcurrentUpdates},
		{"invalid text", testInvalidText},
	})
}

func testPagination(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	want := []string{f.project.ID}
	for i := range 6 {
		want = append(want, newProject(t, s, f.org.ID, fmt.Sprintf("p%d", i)).ID)
	}
	var got []string
	page := capsule.Page{Limit: 3}
	for pages := 1; ; pages++ {
		list, err := s.ListProjects(ctx, capsule.ProjectFilter{OrganizationID: f.org.ID, Page: page})
		must(t, err)
		for _, p := range list.Items {
			got = append(got, p.ID)
		}
		if list.NextCursor == "" {
			if pages != 3 {
				t.Fatalf("%d pages of 3 for 7 projects, want 3", pages)
			}
			break
		}
		page.Cursor = list.NextCursor
	}
	equal(t, got, want)

	// Deployments: newest first across pages.
	var deps []string
	for range 5 {
		deps = append(deps, newDeployment(t, s, f, "").ID)
	}
	first, err := s.ListDeployments(ctx, capsule.DeploymentFilter{Page: capsule.Page{Limit: 2}})
	must(t, err)
	rest, err := s.ListDeployments(ctx, capsule.DeploymentFilter{Page: capsule.Page{Limit: 10, Cursor: first.NextCursor}})
	must(t, err)
	if rest.NextCursor != "" || len(first.Items)+len(rest.Items) != 5 {
		t.Fatalf("pages of %d and %d deployments, want 5 in all", len(first.Items), len(rest.Items))
	}
	all := append(first.Items, rest.Items...)
	for i, d := range all {
		if d.ID != deps[len(deps)-1-i] {
			t.Fatalf("deployment %d is %s, want %s (newest first)", i, d.ID, deps[len(deps)-1-i])
		}
	}
	for _, bad := range []string{"%%%", "bm90LWEtdXVpZA", "'; DROP TABLE projects; --"} {
		_, err := s.ListProjects(ctx, capsule.ProjectFilter{Page: capsule.Page{Cursor: bad}})
		e := wantCode(t, err, capsule.CodeValidation)
		if e.Message == "" || e.Details["fields"] == nil {
			t.Fatalf("bad cursor error does not name the field: %+v", e)
		}
	}
	big, err := s.ListProjects(ctx, capsule.ProjectFilter{Page: capsule.Page{Limit: 100000}})
	must(t, err)
	if len(big.Items) != 7 {
		t.Fatalf("large limit: %d projects", len(big.Items))
	}
}

// testMetacharacters passes SQL syntax as filter values: it must be matched
// literally (finding nothing) and never executed.
func testMetacharacters(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	evil := []string{"' OR '1'='1", "x'; DROP TABLE projects; --", `"; DELETE FROM services; --`, "%", "_", `\`, "?", "$1", "\x00"}
	for _, v := range evil {
		p, err := s.ListProjects(ctx, capsule.ProjectFilter{Slug: v, OrganizationID: v})
		must(t, err)
		sv, err := s.ListServices(ctx, capsule.ServiceFilter{Status: v, Type: v})
		must(t, err)
		d, err := s.ListDeployments(ctx, capsule.DeploymentFilter{Status: v, ProjectID: v})
		must(t, err)
		e, err := s.ListEnvironments(ctx, capsule.EnvironmentFilter{Kind: v})
		must(t, err)
		o, err := s.ListOrganizations(ctx, capsule.OrganizationFilter{Slug: v, MemberUserID: v})
		must(t, err)
		p2, err := s.ListProjects(ctx, capsule.ProjectFilter{OrganizationIDs: []string{v, f.org.ID}})
		must(t, err)
		if n := len(p.Items) + len(sv.Items) + len(d.Items) + len(e.Items) + len(o.Items); n != 0 {
			t.Fatalf("filter value %q matched %d rows", v, n)
		}
		if len(p2.Items) != 1 {
			t.Fatalf("restriction list with %q: %d projects, want 1", v, len(p2.Items))
		}
		_, err = s.FindUserByEmail(ctx, v)
		wantCode(t, err, "USER_NOT_FOUND")
	}
	// The tables are intact.
	if _, err := s.FindProject(ctx, f.project.ID); err != nil {
		t.Fatal(err)
	}
	list, err := s.ListServices(ctx, capsule.ServiceFilter{})
	must(t, err)
	if len(list.Items) != 1 {
		t.Fatalf("%d services after the evil filters, want 1", len(list.Items))
	}
}

func countRows(t *testing.T, s *sqlstore.Store, table string) int {
	t.Helper()
	var n int
	must(t, s.DB().QueryRowContext(context.Background(), "SELECT COUNT(*) FROM "+table).Scan(&n))
	return n
}

var ownedTables = []string{"projects", "environments", "services", "service_revisions", "deployments"}

func testCascade(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	keep := newFixture(t, s)
	newDeployment(t, s, keep, "")
	before := map[string]int{}
	for _, table := range ownedTables {
		before[table] = countRows(t, s, table)
	}

	f := newFixture(t, s)
	newDeployment(t, s, f, "")
	f.service.Config.Env["X"] = "1"
	must(t, s.UpdateService(ctx, f.service, "")) // a second revision
	must(t, s.DeleteProject(ctx, f.project.ID))
	for _, table := range ownedTables {
		if n := countRows(t, s, table); n != before[table] {
			t.Fatalf("after deleting a project, %s has %d rows, want %d", table, n, before[table])
		}
	}
	_, err := s.FindService(ctx, f.service.ID)
	wantCode(t, err, "SERVICE_NOT_FOUND")

	g := newFixture(t, s)
	newDeployment(t, s, g, "")
	members := countRows(t, s, "organization_members")
	must(t, s.DeleteOrganization(ctx, g.org.ID))
	for _, table := range ownedTables {
		if n := countRows(t, s, table); n != before[table] {
			t.Fatalf("after deleting an organization, %s has %d rows, want %d", table, n, before[table])
		}
	}
	if n := countRows(t, s, "organization_members"); n != members-1 {
		t.Fatalf("organization_members has %d rows, want %d", n, members-1)
	}
	if _, err := s.FindUser(ctx, g.user.ID); err != nil {
		t.Fatalf("deleting an organization deleted its member user: %v", err)
	}
	if _, err := s.FindProject(ctx, keep.project.ID); err != nil {
		t.Fatalf("an unrelated project was deleted: %v", err)
	}
}

func testStaleVersion(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	stale := *f.project
	f.project.Name = "Renamed"
	must(t, s.UpdateProject(ctx, f.project))
	stale.Name = "Lost update"
	e := wantCode(t, s.UpdateProject(ctx, &stale), capsule.CodeVersionConflict)
	if e.Details["currentVersion"] != int64(2) || e.Details["expectedVersion"] != int64(1) {
		t.Fatalf("conflict details: %+v", e.Details)
	}
	got, err := s.FindProject(ctx, f.project.ID)
	must(t, err)
	if got.Name != "Renamed" {
		t.Fatalf("stale update was written: %q", got.Name)
	}
	staleOrg, staleEnv, staleSvc := *f.org, *f.env, *f.service
	must(t, s.UpdateOrganization(ctx, f.org))
	must(t, s.UpdateEnvironment(ctx, f.env))
	must(t, s.UpdateService(ctx, f.service, ""))
	wantCode(t, s.UpdateOrganization(ctx, &staleOrg), capsule.CodeVersionConflict)
	wantCode(t, s.UpdateEnvironment(ctx, &staleEnv), capsule.CodeVersionConflict)
	staleSvc.Config.Env["LOST"] = "1"
	wantCode(t, s.UpdateService(ctx, &staleSvc, ""), capsule.CodeVersionConflict)
	revs, err := s.ListServiceRevisions(ctx, f.service.ID, capsule.Page{})
	must(t, err)
	if len(revs.Items) != 1 {
		t.Fatalf("a refused update stored a revision: %d revisions", len(revs.Items))
	}
}

// testConcurrentUpdates races updates based on the same version: exactly
// one wins, the others get VERSION_CONFLICT, and no revision is lost or
// duplicated.
func testConcurrentUpdates(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	const n = 6
	run := func(update func(i int) error) {
		t.Helper()
		errs := make([]error, n)
		var wg sync.WaitGroup
		for i := range n {
			wg.Go(func() { errs[i] = update(i) })
		}
		wg.Wait()
		won := 0
		for _, err := range errs {
			if err == nil {
				won++
			} else {
				wantCode(t, err, capsule.CodeVersionConflict)
			}
		}
		if won != 1 {
			t.Fatalf("%d of %d concurrent updates won, want exactly 1", won, n)
		}
	}
	run(func(i int) error {
		p := *f.project
		p.Name = fmt.Sprintf("Writer %d", i)
		return s.UpdateProject(ctx, &p)
	})
	run(func(i int) error {
		sv := *f.service
		sv.Config.Env = map[string]string{"WRITER": fmt.Sprint(i)}
		return s.UpdateService(ctx, &sv, fmt.Sprint(i))
	})
	sv, err := s.FindService(ctx, f.service.ID)
	must(t, err)
	rev, err := s.FindServiceRevision(ctx, sv.ID, 2)
	must(t, err)
	if sv.Revision != 2 || sv.Version != 2 || rev.Config.Env["WRITER"] != sv.Config.Env["WRITER"] || rev.CreatedBy != sv.Config.Env["WRITER"] {
		t.Fatalf("winner's service %+v does not match its revision %+v", sv, rev)
	}
}

// testInvalidText stores text PostgreSQL cannot hold: both dialects refuse
// it with a validation error instead of a 500 (or, in SQLite, storing it).
func testInvalidText(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	d := &capsule.Deployment{ServiceID: f.service.ID, EnvironmentID: f.env.ID, Version: "v1", Message: "nul\x00byte"}
	wantCode(t, s.CreateDeployment(ctx, d), capsule.CodeValidation)
	f.project.Settings = map[string]any{"k": "nul\x00byte"}
	wantCode(t, s.UpdateProject(ctx, f.project), capsule.CodeValidation)
	f.project.Settings = map[string]any{"k": `literal \u0000 is fine`, "bad": "\xff"}
	must(t, s.UpdateProject(ctx, f.project))
	f.env.ClusterID = "bad\xffutf8"
	wantCode(t, s.UpdateEnvironment(ctx, f.env), capsule.CodeValidation)
}

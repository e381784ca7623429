package sqlstore_test

import (
	"context"
	"reflect"
	"testing"
	"time"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

func TestStoreCRUD(t *testing.T) {
	forEachDialect(t, []storeCase{
		{"organizations", testOrganizations},
		{"projects", testProjects},
		{"environments", testEnvironments},
		{"users", testUsers},
		{"members", testMembers},
		{"not found", testNotFound},
	})
}

// equal fails unless got and want are deeply equal; the store must give
// back exactly what it stored, timestamps included.
func equal[T any](t *testing.T, got, want T) {
	t.Helper()
	if !reflect.DeepEqual(got, want) {
		t.Fatalf("got  %+v\nwant %+v", got, want)
	}
}

func testOrganizations(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	got, err := s.FindOrganization(ctx, f.org.ID)
	must(t, err)
	equal(t, got, f.org)
	if got.Version != 1 || got.Subscription.Tier != "free" || got.CreatedAt.Location() != time.UTC {
		t.Fatalf("defaults not stored: %+v", got)
	}
	dup := &capsule.Organization{Name: "Other", Slug: f.org.Slug}
	e := wantCode(t, s.CreateOrganization(ctx, dup, ""), "ORGANIZATION_ALREADY_EXISTS")
	if e.Details["field"] != "slug" {
		t.Fatalf("duplicate error names field %v, want slug", e.Details["field"])
	}
	got.Name, got.Settings.MFARequired = "Acme Inc", true
	must(t, s.UpdateOrganization(ctx, got))
	if got.Version != 2 {
		t.Fatalf("version after update = %d, want 2", got.Version)
	}
	again, err := s.FindOrganization(ctx, f.org.ID)
	must(t, err)
	equal(t, again, got)

	mine, err := s.ListOrganizations(ctx, capsule.OrganizationFilter{MemberUserID: f.user.ID})
	must(t, err)
	if len(mine.Items) != 1 || mine.Items[0].ID != f.org.ID {
		t.Fatalf("member filter: %+v", mine.Items)
	}
	other := &capsule.Organization{Name: "Other", Slug: "other"}
	must(t, s.CreateOrganization(ctx, other, ""))
	all, err := s.ListOrganizations(ctx, capsule.OrganizationFilter{})
	must(t, err)
	if len(all.Items) != 2 || all.Items[0].ID != f.org.ID || all.Items[1].ID != other.ID {
		t.Fatalf("list not in creation order: %+v", all.Items)
	}
	bySlug, err := s.ListOrganizations(ctx, capsule.OrganizationFilter{Slug: "other"})
	must(t, err)
	if len(bySlug.Items) != 1 || bySlug.Items[0].ID != other.ID {
		t.Fatalf("slug filter: %+v", bySlug.Items)
	}
	wantCode(t, s.CreateOrganization(ctx, &capsule.Organization{Name: "X", Slug: "x"}, "0190c9d4-0000-7000-8000-000000000000"), "USER_NOT_FOUND")
	if _, err := s.FindOrganization(ctx, "x"); err == nil {
		t.Fatal("organization created although its owner does not exist")
	}
	wantCode(t, s.CreateOrganization(ctx, &capsule.Organization{Name: "Bad", Slug: "Not A Label"}, ""), capsule.CodeValidation)
	must(t, s.DeleteOrganization(ctx, other.ID))
	_, err = s.FindOrganization(ctx, other.ID)
	wantCode(t, err, "ORGANIZATION_NOT_FOUND")
	wantCode(t, s.DeleteOrganization(ctx, other.ID), "ORGANIZATION_NOT_FOUND")
}

func testProjects(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	got, err := s.FindProject(ctx, f.project.ID)
	must(t, err)
	equal(t, got, f.project)
	if got.Repository.Branch != "main" || got.Settings["budget"] != 12.5 {
		t.Fatalf("project fields not round-tripped: %+v", got)
	}
	e := wantCode(t, s.CreateProject(ctx, &capsule.Project{OrganizationID: f.org.ID, Name: "Dup", Slug: "shop"}), "PROJECT_ALREADY_EXISTS")
	if e.Details["field"] != "slug" {
		t.Fatalf("duplicate error names field %v", e.Details["field"])
	}
	// The same slug in another organization is fine.
	other := &capsule.Organization{Name: "Other", Slug: "other-org"}
	must(t, s.CreateOrganization(ctx, other, ""))
	newProject(t, s, other.ID, "shop")
	wantCode(t, s.CreateProject(ctx, &capsule.Project{OrganizationID: "0190c9d4-0000-7000-8000-000000000000", Name: "P", Slug: "p"}),
		"ORGANIZATION_NOT_FOUND")
	wantCode(t, s.CreateProject(ctx, &capsule.Project{OrganizationID: "not-a-uuid", Name: "P", Slug: "p"}), "ORGANIZATION_NOT_FOUND")

	got.Slug, got.Settings = "store", map[string]any{"tier": "gold"}
	must(t, s.UpdateProject(ctx, got))
	again, err := s.FindProject(ctx, f.project.ID)
	must(t, err)
	equal(t, again, got)
	dup := *again
	dup.Slug = "shop"
	newProject(t, s, f.org.ID, "shop")
	wantCode(t, s.UpdateProject(ctx, &dup), "PROJECT_ALREADY_EXISTS")

	list, err := s.ListProjects(ctx, capsule.ProjectFilter{OrganizationID: f.org.ID})
	must(t, err)
	if len(list.Items) != 2 {
		t.Fatalf("org filter: %d projects, want 2", len(list.Items))
	}
	list, err = s.ListProjects(ctx, capsule.ProjectFilter{OrganizationIDs: []string{other.ID}})
	must(t, err)
	if len(list.Items) != 1 || list.Items[0].OrganizationID != other.ID {
		t.Fatalf("membership restriction: %+v", list.Items)
	}
	list, err = s.ListProjects(ctx, capsule.ProjectFilter{OrganizationIDs: []string{}})
	must(t, err)
	if len(list.Items) != 0 {
		t.Fatalf("empty membership list sees %d projects", len(list.Items))
	}
	list, err = s.ListProjects(ctx, capsule.ProjectFilter{Slug: "store"})
	must(t, err)
	if len(list.Items) != 1 || list.Items[0].ID != f.project.ID {
		t.Fatalf("slug filter: %+v", list.Items)
	}
}

func testEnvironments(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	got, err := s.FindEnvironment(ctx, f.env.ID)
	must(t, err)
	equal(t, got, f.env)
	if got.Namespace != "staging" || got.DeliveryMode != capsule.DeliveryDirect {
		t.Fatalf("defaults not stored: %+v", got)
	}
	e := wantCode(t, s.CreateEnvironment(ctx, &capsule.Environment{ProjectID: f.project.ID, Name: "staging", Kind: capsule.EnvStaging}),
		"ENVIRONMENT_ALREADY_EXISTS")
	if e.Details["field"] != "name" {
		t.Fatalf("duplicate error names field %v", e.Details["field"])
	}
	prod := &capsule.Environment{ProjectID: f.project.ID, Name: "production", Kind: capsule.EnvProduction,
		DeliveryMode:   capsule.DeliveryGitOps,
		ApprovalPolicy: capsule.ApprovalPolicy{RequiredApprovals: 2, ApproverRoles: []string{"admin"}}}
	must(t, s.CreateEnvironment(ctx, prod))
	back, err := s.FindEnvironment(ctx, prod.ID)
	must(t, err)
	equal(t, back, prod)
	back.ApprovalPolicy.RequiredApprovals = 1
	must(t, s.UpdateEnvironment(ctx, back))
	if back.Version != 2 {
		t.Fatalf("version %d, want 2", back.Version)
	}
	list, err := s.ListEnvironments(ctx, capsule.EnvironmentFilter{ProjectID: f.project.ID, Kind: capsule.EnvProduction})
	must(t, err)
	if len(list.Items) != 1 || list.Items[0].ID != prod.ID {
		t.Fatalf("kind filter: %+v", list.Items)
	}
	list, err = s.ListEnvironments(ctx, capsule.EnvironmentFilter{OrganizationIDs: []string{f.org.ID}})
	must(t, err)
	if len(list.Items) != 2 {
		t.Fatalf("membership restriction: %d environments, want 2", len(list.Items))
	}
	wantCode(t, s.CreateEnvironment(ctx, &capsule.Environment{ProjectID: "0190c9d4-0000-7000-8000-000000000000", Name: "dev", Kind: capsule.EnvDevelopment}),
		"PROJECT_NOT_FOUND")
}

func testUsers(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	n, err := s.CountUsers(ctx)
	must(t, err)
	if n != 0 {
		t.Fatalf("fresh store has %d users", n)
	}
	u := &capsule.User{Email: "Ada@Example.com", Name: "Ada", PasswordHash: "$argon2id$x"}
	must(t, s.CreateUser(ctx, u))
	got, err := s.FindUserByEmail(ctx, "ada@example.COM")
	must(t, err)
	equal(t, got, u)
	e := wantCode(t, s.CreateUser(ctx, &capsule.User{Email: "ada@example.com", Name: "Copy"}), "USER_ALREADY_EXISTS")
	if e.Details["field"] != "email" {
		t.Fatalf("duplicate error names field %v", e.Details["field"])
	}
	at := time.Date(2026, 1, 2, 3, 4, 5, 6000, time.FixedZone("CET", 3600))
	must(t, s.TouchUserLogin(ctx, u.ID, at))
	got, err = s.FindUser(ctx, u.ID)
	must(t, err)
	if got.LastLoginAt == nil || !got.LastLoginAt.Equal(at) || got.LastLoginAt.Location() != time.UTC {
		t.Fatalf("last login %v, want %v in UTC", got.LastLoginAt, at)
	}
	got.Name, got.PasswordHash = "Ada L.", "new"
	must(t, s.UpdateUser(ctx, got))
	again, err := s.FindUser(ctx, u.ID)
	must(t, err)
	equal(t, again, got)
	n, err = s.CountUsers(ctx)
	must(t, err)
	if n != 1 {
		t.Fatalf("count %d, want 1", n)
	}
	_, err = s.FindUserByEmail(ctx, "nobody@example.com")
	wantCode(t, err, "USER_NOT_FOUND")
}

func testMembers(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	f := newFixture(t, s)
	owner, err := s.FindMember(ctx, f.org.ID, f.user.ID)
	must(t, err)
	if owner.Role != capsule.RoleOwner {
		t.Fatalf("creator role %q, want owner", owner.Role)
	}
	bob := &capsule.User{Email: "bob@example.com", Name: "Bob"}
	must(t, s.CreateUser(ctx, bob))
	m := &capsule.Member{OrganizationID: f.org.ID, UserID: bob.ID, Role: capsule.RoleViewer, InvitedBy: f.user.ID}
	must(t, s.AddMember(ctx, m))
	got, err := s.FindMember(ctx, f.org.ID, bob.ID)
	must(t, err)
	equal(t, got, m)
	wantCode(t, s.AddMember(ctx, &capsule.Member{OrganizationID: f.org.ID, UserID: bob.ID, Role: capsule.RoleAdmin}), "MEMBER_ALREADY_EXISTS")
	wantCode(t, s.AddMember(ctx, &capsule.Member{OrganizationID: f.org.ID, UserID: bob.ID, Role: "god"}), capsule.CodeValidation)
	wantCode(t, s.AddMember(ctx, &capsule.Member{OrganizationID: f.org.ID, UserID: "0190c9d4-0000-7000-8000-000000000000", Role: capsule.RoleViewer}), "USER_NOT_FOUND")
	list, err := s.ListMembers(ctx, f.org.ID, capsule.Page{Limit: 1})
	must(t, err)
	if len(list.Items) != 1 || list.NextCursor == "" {
		t.Fatalf("first page: %+v", list)
	}
	list, err = s.ListMembers(ctx, f.org.ID, capsule.Page{Limit: 1, Cursor: list.NextCursor})
	must(t, err)
	if len(list.Items) != 1 || list.NextCursor != "" {
		t.Fatalf("second page: %+v", list)
	}
	ms, err := s.ListMemberships(ctx, bob.ID)
	must(t, err)
	if len(ms) != 1 || ms[0].OrganizationID != f.org.ID {
		t.Fatalf("memberships: %+v", ms)
	}
	must(t, s.RemoveMember(ctx, f.org.ID, bob.ID))
	wantCode(t, s.RemoveMember(ctx, f.org.ID, bob.ID), "MEMBER_NOT_FOUND")
	_, err = s.FindMember(ctx, f.org.ID, bob.ID)
	wantCode(t, err, "MEMBER_NOT_FOUND")
}

func testNotFound(t *testing.T, s *sqlstore.Store) {
	ctx := context.Background()
	for _, id := range []string{"0190c9d4-0000-7000-8000-000000000000", "not-a-uuid", "", "'; DROP TABLE projects; --"} {
		_, err := s.FindProject(ctx, id)
		wantCode(t, err, "PROJECT_NOT_FOUND")
		_, err = s.FindService(ctx, id)
		wantCode(t, err, "SERVICE_NOT_FOUND")
		_, err = s.FindDeployment(ctx, id)
		wantCode(t, err, "DEPLOYMENT_NOT_FOUND")
		_, err = s.FindEnvironment(ctx, id)
		wantCode(t, err, "ENVIRONMENT_NOT_FOUND")
		_, err = s.FindUser(ctx, id)
		wantCode(t, err, "USER_NOT_FOUND")
		wantCode(t, s.DeleteProject(ctx, id), "PROJECT_NOT_FOUND")
		wantCode(t, s.UpdateProject(ctx, &capsule.Project{ID: id, OrganizationID: "x", Name: "n", Slug: "s", Version: 1}), "PROJECT_NOT_FOUND")
		_, err = s.UpdateDeploymentStatus(ctx, id, capsule.DeploymentFailed, "")
		wantCode(t, err, "DEPLOYMENT_NOT_FOUND")
	}
	must(t, s.Ping(ctx))
}

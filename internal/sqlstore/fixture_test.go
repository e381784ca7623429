package sqlstore_test

import (
	"context"
	"fmt"
	"sync/atomic"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

var seq atomic.Int64

// fixture is one of each entity, linked together.
type fixture struct {
	user    *capsule.User
	org     *capsule.Organization
	project *capsule.Project
	env     *capsule.Environment
	service *capsule.Service
}

func newFixture(t *testing.T, s *sqlstore.Store) *fixture {
	t.Helper()
	ctx := context.Background()
	n := seq.Add(1)
	f := &fixture{
		user: &capsule.User{Email: fmt.Sprintf("user%d@example.com", n), Name: "User", PasswordHash: "hash"},
		org:  &capsule.Organization{Name: "Acme", Slug: fmt.Sprintf("acme-%d", n)},
	}
	must(t, s.CreateUser(ctx, f.user))
	must(t, s.CreateOrganization(ctx, f.org, f.user.ID))
	f.project = newProject(t, s, f.org.ID, "shop")
	f.env = &capsule.Environment{ProjectID: f.project.ID, Name: "staging", Kind: capsule.EnvStaging}
	must(t, s.CreateEnvironment(ctx, f.env))
	f.service = newService(t, s, f.project.ID, "api")
	return f
}

func newProject(t *testing.T, s *sqlstore.Store, orgID, slug string) *capsule.Project {
	t.Helper()
	p := &capsule.Project{OrganizationID: orgID, Name: "Project " + slug, Slug: slug,
		Repository: capsule.Repository{Provider: "github", URL: "https://github.com/acme/" + slug},
		Settings:   map[string]any{"team": "core", "budget": 12.5}}
	must(t, s.CreateProject(context.Background(), p))
	return p
}

func newService(t *testing.T, s *sqlstore.Store, projectID, name string) *capsule.Service {
	t.Helper()
	sv := &capsule.Service{ProjectID: projectID, Name: name, Type: capsule.ServiceAPI,
		Source: capsule.ServiceSource{Repository: "https://github.com/acme/shop", Path: "services/" + name},
		Config: capsule.ServiceConfig{Env: map[string]string{"LOG_LEVEL": "info"},
			Networking: capsule.Networking{Port: 8080, Public: true, Domains: []string{"api.example.com"}}}}
	must(t, s.CreateService(context.Background(), sv, "alice"))
	return sv
}

func newDeployment(t *testing.T, s *sqlstore.Store, f *fixture, status string) *capsule.Deployment {
	t.Helper()
	d := &capsule.Deployment{ServiceID: f.service.ID, EnvironmentID: f.env.ID, Version: "v1", Status: status,
		Commit: capsule.Commit{SHA: "abc123", Message: "ship it", Author: "alice"}, Replicas: capsule.Replicas{Desired: 2}}
	must(t, s.CreateDeployment(context.Background(), d))
	return d
}

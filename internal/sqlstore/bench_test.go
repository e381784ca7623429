package sqlstore_test

import (
	"context"
	"fmt"
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/sqlstore"
)

// benchStores gives each benchmark a fresh store per dialect with one
// organization holding 50 projects (the list size the throughput target names).
func benchStores(b *testing.B, run func(b *testing.B, s *sqlstore.Store, org *capsule.Organization, projects []*capsule.Project)) {
	for _, d := range dialects {
		b.Run(d.name, func(b *testing.B) {
			ctx := context.Background()
			s, err := sqlstore.Open(ctx, d.open(b), sqlstore.Options{})
			if err != nil {
				b.Fatal(err)
			}
			defer s.Close()
			org := &capsule.Organization{Name: "Bench", Slug: "bench"}
			if err := s.CreateOrganization(ctx, org, ""); err != nil {
				b.Fatal(err)
			}
			projects := make([]*capsule.Project, 50)
			for i := range projects {
				projects[i] = &capsule.Project{OrganizationID: org.ID, Name: "Project", Slug: fmt.Sprintf("p%d", i),
					Repository: capsule.Repository{URL: "https://github.com/acme/shop"}, Settings: map[string]any{"team": "core"}}
				if err := s.CreateProject(ctx, projects[i]); err != nil {
					b.Fatal(err)
				}
			}
			b.ReportAllocs()
			b.ResetTimer()
			run(b, s, org, projects)
		})
	}
}

func BenchmarkFindProject(b *testing.B) {
	benchStores(b, func(b *testing.B, s *sqlstore.Store, _ *capsule.Organization, projects []*capsule.Project) {
		ctx := context.Background()
		b.RunParallel(func(pb *testing.PB) {
			i := 0
			for pb.Next() {
				if _, err := s.FindProject(ctx, projects[i%len(projects)].ID); err != nil {
					b.Fatal(err)
				}
				i++
			}
		})
	})
}

func BenchmarkListProjects(b *testing.B) {
	benchStores(b, func(b *testing.B, s *sqlstore.Store, org *capsule.Organization, _ []*capsule.Project) {
		ctx := context.Background()
		f := capsule.ProjectFilter{OrganizationIDs: []string{org.ID}, Page: capsule.Page{Limit: 50}}
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				list, err := s.ListProjects(ctx, f)
				if err != nil || len(list.Items) != 50 {
					b.Fatalf("%d projects, %v", len(list.Items), err)
				}
			}
		})
	})
}

func BenchmarkCreateService(b *testing.B) {
	benchStores(b, func(b *testing.B, s *sqlstore.Store, _ *capsule.Organization, projects []*capsule.Project) {
		ctx := context.Background()
		// Writers as concurrent as API requests: on SQLite their commits
		// share fsyncs (group commit).
		b.SetParallelism(16)
		b.RunParallel(func(pb *testing.PB) {
			for pb.Next() {
				sv := &capsule.Service{ProjectID: projects[0].ID, Name: fmt.Sprintf("svc-%d", seq.Add(1)), Type: capsule.ServiceWeb,
					Config: capsule.ServiceConfig{Env: map[string]string{"A": "1"}, Networking: capsule.Networking{Port: 8080}}}
				if err := s.CreateService(ctx, sv, "bench"); err != nil {
					b.Fatal(err)
				}
			}
		})
	})
}

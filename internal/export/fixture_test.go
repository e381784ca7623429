package export_test

import (
	"testing"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/export"
)

// fixture is a project with a public web service, an API, a worker with a
// secret and storage-free config, and a cron job, in three environments.
func fixture(t *testing.T) export.Input {
	t.Helper()
	in := export.Input{
		Project: capsule.Project{ID: "p1", Name: "Shop", Slug: "shop"},
		Environments: []capsule.Environment{
			{Name: "production", Kind: capsule.EnvProduction, Namespace: "shop-prod"},
			{Name: "dev", Kind: capsule.EnvDevelopment, Namespace: "shop-dev"},
			{Name: "staging", Kind: capsule.EnvStaging, Namespace: "shop-staging"},
		},
		Services: []capsule.Service{
			{Name: "web", Type: "web", Source: capsule.ServiceSource{Image: "ghcr.io/acme/web:1.2.0"}, Config: capsule.ServiceConfig{
				Env:        map[string]string{"API_URL": "http://api:8080", "LOG_LEVEL": "info"},
				Scaling:    capsule.Scaling{MinReplicas: 2, MaxReplicas: 5, TargetCPUPercent: 60},
				Networking: capsule.Networking{Port: 3000, Public: true, Domains: []string{"shop.example.com"}, HealthCheckPath: "/healthz"},
				Strategy:   capsule.Strategy{Type: "rolling"},
			}},
			{Name: "api", Type: "api", Source: capsule.ServiceSource{Image: "ghcr.io/acme/api:2.0.1"}, Config: capsule.ServiceConfig{
				Env:        map[string]string{"DB_HOST": "db"},
				Secrets:    []string{"DATABASE_PASSWORD", "STRIPE_KEY"},
				Resources:  capsule.Resources{Preset: "medium"},
				Scaling:    capsule.Scaling{MinReplicas: 1},
				Networking: capsule.Networking{Port: 8080},
				Strategy:   capsule.Strategy{Type: "rolling"},
			}},
			{Name: "mailer", Type: "worker", Source: capsule.ServiceSource{Image: "ghcr.io/acme/api:2.0.1", StartCommand: "bin/mailer"}, Config: capsule.ServiceConfig{
				Secrets:  []string{"SMTP_PASSWORD"},
				Scaling:  capsule.Scaling{MinReplicas: 1},
				Strategy: capsule.Strategy{Type: "recreate"},
			}},
			{Name: "report", Type: "cron", Source: capsule.ServiceSource{Image: "ghcr.io/acme/api:2.0.1", StartCommand: "bin/report"}, Config: capsule.ServiceConfig{
				Schedule: "0 3 * * *",
				Strategy: capsule.Strategy{Type: "rolling"},
			}},
		},
	}
	for i := range in.Services {
		in.Services[i].ProjectID = "p1"
		if err := in.Services[i].Validate(); err != nil {
			t.Fatal(err)
		}
	}
	return in
}

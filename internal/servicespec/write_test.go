package servicespec

import (
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/detect"
	"github.com/usecapsule/capsule/internal/golden"
)

// TestFromDetectionRoundTrip writes the capsule.yaml of every service type
// and checks that it parses and resolves in each environment it names.
func TestFromDetectionRoundTrip(t *testing.T) {
	for _, d := range []detect.Service{
		{Name: "web", Type: "web", Language: "javascript", Framework: "nextjs", BuildCommand: "pnpm run build", StartCommand: "pnpm start", Port: 3000, HealthCheckPath: "/"},
		{Name: "api", Type: "api", Language: "java", Framework: "spring-boot", Port: 8080, HealthCheckPath: "/actuator/health"},
		{Name: "worker", Type: "worker", Language: "python", Framework: "celery", StartCommand: "celery -A app worker"},
		{Name: "docs", Type: "static", Language: "static", Framework: "hugo", Port: 8080},
		{Name: "dash", Path: "apps/dash", Workspace: ".", Type: "web", Language: "javascript", Framework: "nextjs", Port: 3000},
		{Name: "spa-own-dockerfile", Type: "static", Language: "javascript", Framework: "vite", Port: 80, HealthCheckPath: "/", Dockerfile: true},
		{Name: "rails8", Type: "web", Language: "ruby", Framework: "rails", Port: 80, HealthCheckPath: "/up", Dockerfile: true, Signals: []string{"Dockerfile WORKDIR /rails"}},
		{Name: "shop-beat", Type: "worker", Language: "python", Framework: "celery", StartCommand: "celery -A shop beat -l info"},
		{Name: "report", Type: "cron", Language: "ruby", StartCommand: "bundle exec rake report"},
	} {
		t.Run(d.Name, func(t *testing.T) {
			b, err := Marshal(FromDetection(d))
			if err != nil {
				t.Fatal(err)
			}
			f, err := Parse("capsule.yaml", b)
			if err != nil {
				t.Fatalf("%v\n%s", err, b)
			}
			for _, env := range append([]string{""}, f.Environments()...) {
				s, err := f.Resolve(env)
				if err != nil {
					t.Fatal(err)
				}
				if s.Name != d.Name || s.Type != d.Type {
					t.Errorf("%s: got %s/%s", env, s.Name, s.Type)
				}
			}
			if d.Framework == "celery" && strings.Contains(d.StartCommand, " beat") {
				// A scheduler runs once, in every environment.
				for _, env := range f.Environments() {
					s, _ := f.Resolve(env)
					if s.Scaling.MinReplicas != 1 || s.Scaling.MaxReplicas > 1 || s.Deploy.Strategy != StrategyRecreate {
						t.Errorf("%s: scaling %+v, strategy %s: want one replica, recreate", env, s.Scaling, s.Deploy.Strategy)
					}
				}
			}
			if d.Framework == "rails" && d.Dockerfile {
				// Rails 8's Dockerfile keeps the app in /rails.
				s, _ := f.Resolve("")
				if strings.Join(s.WritablePaths, " ") != "/rails/tmp /rails/log /rails/storage" {
					t.Errorf("writablePaths %v, want the run-time dirs under /rails", s.WritablePaths)
				}
			}
			if d.Dockerfile {
				// The repository's Dockerfile decides the port, not the
				// generated one's 8080.
				if s, _ := f.Resolve(""); s.Port != d.Port {
					t.Errorf("port %d, want the detected %d", s.Port, d.Port)
				}
			}
			golden.Check(t, "testdata/init-"+d.Name+".yaml", b)
		})
	}
}

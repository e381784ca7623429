package export

import (
	"context"
	"os"
	"path/filepath"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
)

// TestComposeLoads loads the Compose file with compose-go (the library of
// docker compose) and checks each service against the configuration.
func TestComposeLoads(t *testing.T) {
	in := fixture(t)
	files, err := Export(in, FormatCompose)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, files)
	checkCompose(t, in, dir)
}

func writeFiles(t *testing.T, dir string, files map[string][]byte) {
	t.Helper()
	for name, b := range files {
		p := filepath.Join(dir, filepath.FromSlash(name))
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, b, 0o644); err != nil {
			t.Fatal(err)
		}
	}
}

func checkCompose(t *testing.T, in Input, dir string) {
	t.Helper()
	path := filepath.Join(dir, "docker-compose", "docker-compose.yml")
	proj, err := loader.LoadWithContext(context.Background(), types.ConfigDetails{
		WorkingDir:  filepath.Dir(path),
		ConfigFiles: []types.ConfigFile{{Filename: path}},
		Environment: types.Mapping{},
	}, func(o *loader.Options) { o.SetProjectName(in.Project.Slug, true); o.Profiles = []string{"*"} })
	if err != nil {
		t.Fatalf("compose-go: %v", err)
	}
	if len(proj.Services) != len(in.Services) {
		t.Fatalf("%d services, want %d: %v", len(proj.Services), len(in.Services), proj.ServiceNames())
	}
	for _, sv := range in.Services {
		s, ok := proj.Services[sv.Name]
		if !ok {
			t.Fatalf("service %s missing", sv.Name)
		}
		if s.Image != sv.Source.Image {
			t.Errorf("%s: image %q, want %q", sv.Name, s.Image, sv.Source.Image)
		}
		for k, v := range sv.Config.Env {
			if got := s.Environment[k]; got == nil || *got != v {
				t.Errorf("%s: env %s = %v, want %q", sv.Name, k, got, v)
			}
		}
		for _, k := range sv.Config.Secrets {
			if _, ok := s.Environment[k]; ok {
				t.Errorf("%s: secret %s is in the Compose file", sv.Name, k)
			}
		}
		if (len(sv.Config.Secrets) > 0) != (len(s.EnvFiles) == 1) {
			t.Errorf("%s: env_file %v with secrets %v", sv.Name, s.EnvFiles, sv.Config.Secrets)
		}
		serves := sv.Type == "web" || sv.Type == "api" || sv.Type == "static"
		if serves != (s.HealthCheck != nil) || serves != (len(s.Ports) == 1) {
			t.Errorf("%s: health check %v and ports %v for a %s service", sv.Name, s.HealthCheck, s.Ports, sv.Type)
		}
		if serves && sv.Config.Networking.Port != 0 && s.Ports[0].Target != uint32(sv.Config.Networking.Port) {
			t.Errorf("%s: container port %d, want %d", sv.Name, s.Ports[0].Target, sv.Config.Networking.Port)
		}
		if !s.ReadOnly || s.User != "10001:10001" {
			t.Errorf("%s: read_only %v user %q", sv.Name, s.ReadOnly, s.User)
		}
		if sv.Source.StartCommand != "" && len(s.Command) == 0 {
			t.Errorf("%s: no command for start %q", sv.Name, sv.Source.StartCommand)
		}
	}
	if web, ok := proj.Services["web"]; ok {
		if d, ok := web.DependsOn["api"]; !ok || d.Condition != "service_healthy" {
			t.Errorf("web depends_on %v, want api healthy (API_URL names it)", web.DependsOn)
		}
		if web.HealthCheck.Test[1] != "wget -q -O /dev/null http://127.0.0.1:3000/healthz || exit 1" {
			t.Errorf("web health check %v", web.HealthCheck.Test)
		}
	}
}

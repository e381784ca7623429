// Package exportcheck validates an export with the tools its formats are
// for: the Kustomize library builds each overlay, compose-go loads the
// Compose file, terraform fmt and the HCL parser read the Terraform files,
// and each result is compared with what Capsule renders. Tests only.
package exportcheck

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/compose-spec/compose-go/v2/loader"
	"github.com/compose-spec/compose-go/v2/types"
	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/usecapsule/capsule/internal/export"
	"github.com/usecapsule/capsule/internal/render"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// Kustomize builds each overlay of files and compares it, object by object,
// with what Capsule renders for the environment (with its Namespace).
func Kustomize(t *testing.T, in export.Input, files map[string][]byte) {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	for name, b := range files {
		if err := fs.WriteFile("/out/"+name, b); err != nil {
			t.Fatal(err)
		}
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	if len(in.Environments) == 0 {
		t.Fatal("no environments")
	}
	for _, e := range in.Environments {
		rm, err := k.Run(fs, "/out/kubernetes/overlays/"+e.Name)
		if err != nil {
			t.Fatalf("%s: kustomize build: %v", e.Name, err)
		}
		got, err := rm.AsYaml()
		if err != nil {
			t.Fatal(err)
		}
		want := []render.Object{render.Namespace(e.Namespace)}
		for _, sv := range in.Services {
			objs, err := export.RenderService(in.Project, e, sv, e.Namespace)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, objs...)
		}
		wantYAML, err := render.Marshal(want, "yaml")
		if err != nil {
			t.Fatal(err)
		}
		g, w := normalized(t, got), normalized(t, wantYAML)
		if len(w) < 10 {
			t.Fatalf("%s: only %d objects rendered", e.Name, len(w))
		}
		if d := cmp.Diff(w, g); d != "" {
			t.Errorf("%s: kustomize build differs from capsule render (-render +kustomize):\n%s", e.Name, d)
		}
	}
}

// normalized decodes a YAML stream into objects keyed by kind/ns/name.
func normalized(t *testing.T, stream []byte) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, doc := range bytes.Split(stream, []byte("\n---\n")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatal(err)
		}
		var o map[string]any
		if err := json.Unmarshal(j, &o); err != nil {
			t.Fatal(err)
		}
		m, _ := o["metadata"].(map[string]any)
		out[strings.Join([]string{o["kind"].(string), str(m["namespace"]), str(m["name"])}, "/")] = o
	}
	return out
}

func str(v any) string { s, _ := v.(string); return s }

// WriteFiles writes files under dir.
func WriteFiles(t *testing.T, dir string, files map[string][]byte) {
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

// Compose loads dir/docker-compose/docker-compose.yml with compose-go and
// checks each service against its configuration.
func Compose(t *testing.T, in export.Input, dir string) {
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

// Terraform runs terraform fmt -check on dir/terraform, parses every .tf
// file and compares each environment's module manifests with Capsule's
// rendering.
func Terraform(t *testing.T, in export.Input, files map[string][]byte, dir string) {
	t.Helper()
	tf, err := exec.LookPath("terraform")
	if err != nil {
		t.Fatalf("terraform is needed to check the generated files: %v", err)
	}
	out, err := exec.Command(tf, "fmt", "-check", "-recursive", "-diff", filepath.Join(dir, "terraform")).CombinedOutput()
	if err != nil {
		t.Fatalf("terraform fmt -check: %v\n%s", err, out)
	}
	parser := hclparse.NewParser()
	n := 0
	for name := range files {
		if !strings.HasSuffix(name, ".tf") {
			continue
		}
		n++
		if _, diags := parser.ParseHCL(files[name], name); diags.HasErrors() {
			t.Errorf("%s: %v", name, diags)
		}
	}
	if want := 2 * (len(in.Services) + len(in.Environments)); n != want {
		t.Errorf("%d .tf files, want %d", n, want)
	}
	for _, e := range in.Environments {
		main := string(files["terraform/environments/"+e.Name+"/main.tf"])
		var got, want []byte
		for _, sv := range in.Services {
			if !strings.Contains(main, `source      = "../../modules/`+sv.Name+`"`) || !strings.Contains(main, `environment = "`+e.Name+`"`) {
				t.Errorf("%s: main.tf does not call module %s for %s:\n%s", e.Name, sv.Name, e.Name, main)
			}
			mdir := filepath.Join(dir, "terraform", "modules", sv.Name, "manifests", e.Name)
			entries, err := os.ReadDir(mdir)
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range entries {
				b, err := os.ReadFile(filepath.Join(mdir, f.Name()))
				if err != nil {
					t.Fatal(err)
				}
				got = append(append(got, "\n---\n"...), b...)
			}
			objs, err := export.RenderService(in.Project, e, sv, e.Namespace)
			if err != nil {
				t.Fatal(err)
			}
			y, err := render.Marshal(objs, "yaml")
			if err != nil {
				t.Fatal(err)
			}
			want = append(append(want, "\n---\n"...), y...)
		}
		if d := cmp.Diff(normalized(t, want), normalized(t, got)); d != "" {
			t.Errorf("%s: module manifests differ from capsule render:\n%s", e.Name, d)
		}
	}
}

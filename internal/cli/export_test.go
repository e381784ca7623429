package cli

import (
	"bytes"
	"context"
	"encoding/json"
	"io"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"filippo.io/age"
	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/apiclient"
	"github.com/usecapsule/capsule/internal/export"
	"github.com/usecapsule/capsule/internal/export/exportcheck"
)

// TestExportEndToEnd creates a project with environments and services on a
// real server through the CLI, exports it with `capsule export --format all`
// and validates every format with its own tool (Kustomize, compose-go,
// terraform fmt and the HCL parser, helm lint and its engine) against what
// Capsule renders.
func TestExportEndToEnd(t *testing.T) {
	url := startServer(t)
	t.Setenv("CAPSULE_CONFIG", filepath.Join(t.TempDir(), "capsule", "config.yaml"))
	t.Setenv("CAPSULE_PASSWORD", "")
	t.Setenv("CAPSULE_API_KEY", "")
	if r := run(t, testPassword+"\n", "login", "--server", url, "--password-stdin"); r.code != 0 {
		t.Fatalf("login: exit %d: %s", r.code, r.err)
	}
	mustRun(t, "projects", "create", "Shop")
	out := filepath.Join(t.TempDir(), "out")
	// A project without services is refused, naming why.
	if r := run(t, "", "export", "shop", "--out", out); r.code != ExitError || !strings.Contains(r.err, "no services") {
		t.Fatalf("export of an empty project: exit %d: %s", r.code, r.err)
	}
	mustRun(t, "envs", "create", "development", "--project", "shop", "--kind", "development", "--namespace", "shop-dev")
	mustRun(t, "envs", "create", "production", "--project", "shop", "--kind", "production", "--namespace", "shop-prod")
	mustRun(t, "services", "create", "api", "--project", "shop", "--type", "api", "--port", "8080", "--image", "ghcr.io/acme/api:2.0.1", "--env", "DB_HOST=db")
	mustRun(t, "services", "create", "mailer", "--project", "shop", "--type", "worker", "--image", "ghcr.io/acme/api:2.0.1", "--start", "bin/mailer")
	web := filepath.Join(t.TempDir(), "web.yaml")
	if err := os.WriteFile(web, []byte(`type: web
source: {image: ghcr.io/acme/web:1.2.0}
configuration:
  env: {API_URL: "http://api:8080"}
  secrets: [SESSION_KEY]
  scaling: {minReplicas: 2, maxReplicas: 4}
  networking: {port: 3000, public: true, domains: [shop.example.com], healthCheckPath: /healthz}
`), 0o644); err != nil {
		t.Fatal(err)
	}
	mustRun(t, "services", "create", "web", "--project", "shop", "-f", web)

	if r := run(t, "", "export", "shop", "--format", "pulumi", "--out", out); r.code != ExitUsage || !strings.Contains(r.err, "kustomize, helm, terraform, compose, all") {
		t.Fatalf("unknown format: exit %d: %s", r.code, r.err)
	}
	if err := os.MkdirAll(out, 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(filepath.Join(out, "keep.txt"), []byte("mine"), 0o644); err != nil {
		t.Fatal(err)
	}
	if r := run(t, "", "export", "shop", "--out", out); r.code != ExitError || !strings.Contains(r.err, "not empty") || !strings.Contains(r.err, "--force") {
		t.Fatalf("non-empty --out: exit %d: %s", r.code, r.err)
	}
	if o := mustRun(t, "export", "shop", "--format", "all", "--out", out, "--force"); !strings.Contains(o, "docs/README.md") {
		t.Fatalf("export said %q", o)
	}

	in := export.Input{Project: getJSON[capsule.Project](t, "projects", "get", "shop")}
	in.Environments = listJSON[capsule.Environment](t, "envs", "list", "--project", "shop")
	in.Services = listJSON[capsule.Service](t, "services", "list", "--project", "shop")
	if len(in.Environments) != 2 || len(in.Services) != 3 {
		t.Fatalf("%d environments and %d services", len(in.Environments), len(in.Services))
	}
	files := map[string][]byte{}
	err := filepath.WalkDir(out, func(p string, d os.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := os.ReadFile(p)
		rel, _ := filepath.Rel(out, p)
		files[filepath.ToSlash(rel)] = b
		return err
	})
	if err != nil {
		t.Fatal(err)
	}
	if string(files["keep.txt"]) != "mine" {
		t.Error("--force removed a file that is not the export's")
	}
	delete(files, "keep.txt")
	exportcheck.Kustomize(t, in, files)
	exportcheck.Compose(t, in, out)
	exportcheck.Terraform(t, in, files, out)
	exportcheck.Helm(t, in, files, out)
	for name, b := range files {
		if strings.Contains(string(b), "kind: Secret\n") {
			t.Errorf("%s holds a Secret", name)
		}
	}
	if !strings.Contains(string(files["docs/README.md"]), "--from-literal=SESSION_KEY=REPLACE_ME") {
		t.Errorf("README has no instruction for web's secret:\n%s", files["docs/README.md"])
	}

	// With an age recipient the values are written, encrypted: the
	// production one overrides the project's.
	id, err := age.GenerateX25519Identity()
	if err != nil {
		t.Fatal(err)
	}
	prodID := in.Environments[slices.IndexFunc(in.Environments, func(e capsule.Environment) bool { return e.Name == "production" })].ID
	err = withClient(context.Background(), "", func(c *apiclient.Client) error {
		for _, body := range []map[string]string{{"projectId": in.Project.ID, "name": "SESSION_KEY", "value": "project-value"},
			{"environmentId": prodID, "name": "SESSION_KEY", "value": "prod-value"}} {
			if err := c.Do(context.Background(), "POST", "/api/v1/secrets", body, nil); err != nil {
				return err
			}
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	sealed := filepath.Join(t.TempDir(), "sealed")
	if r := run(t, "", "export", "shop", "--format", "kustomize", "--out", sealed, "--age-recipient", "age1bad"); r.code != ExitUsage || !strings.Contains(r.err, "--age-recipient") {
		t.Fatalf("bad recipient: exit %d: %s", r.code, r.err)
	}
	mustRun(t, "export", "shop", "--format", "kustomize", "--out", sealed, "--age-recipient", id.Recipient().String())
	for env, want := range map[string]string{"development": "SESSION_KEY=project-value\n", "production": "SESSION_KEY=prod-value\n"} {
		b, err := os.ReadFile(filepath.Join(sealed, "secrets", env, "web.env.age"))
		if err != nil {
			t.Fatal(err)
		}
		if strings.Contains(string(b), "value") {
			t.Errorf("%s: a secret value is in clear", env)
		}
		r, err := age.Decrypt(bytes.NewReader(b), id)
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(r)
		if string(plain) != want {
			t.Errorf("%s: decrypted %q, want %q", env, plain, want)
		}
	}
}

func getJSON[T any](t *testing.T, args ...string) T {
	t.Helper()
	var v T
	if err := json.Unmarshal([]byte(mustRun(t, append(args, "-o", "json")...)), &v); err != nil {
		t.Fatal(err)
	}
	return v
}

func listJSON[T any](t *testing.T, args ...string) []T {
	t.Helper()
	return getJSON[capsule.List[T]](t, args...).Items
}

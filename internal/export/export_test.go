package export_test

import (
	"bytes"
	"errors"
	"maps"
	"slices"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/export"
)

func TestExportIsDeterministic(t *testing.T) {
	in := fixture(t)
	a, err := export.Export(in, export.FormatAll)
	if err != nil {
		t.Fatal(err)
	}
	// The same project listed in another order gives the same bytes.
	slices.Reverse(in.Services)
	slices.Reverse(in.Environments)
	b, err := export.Export(in, export.FormatAll)
	if err != nil {
		t.Fatal(err)
	}
	if !maps.EqualFunc(a, b, bytes.Equal) {
		t.Fatalf("two exports differ:\n%v\n%v", export.Paths(a), export.Paths(b))
	}
	for _, want := range []string{"kubernetes/base/kustomization.yaml", "kubernetes/overlays/production/kustomization.yaml",
		"terraform/modules/web/main.tf", "terraform/modules/web/variables.tf", "terraform/environments/staging/main.tf",
		"docker-compose/docker-compose.yml", "helm/charts/shop/Chart.yaml", "helm/values-production.yaml", "docs/README.md", "docs/MIGRATION.md", "docs/ARCHITECTURE.md"} {
		if _, ok := a[want]; !ok {
			t.Errorf("%s missing from %v", want, export.Paths(a))
		}
	}
}

func TestExportOneFormatWritesOnlyIt(t *testing.T) {
	files, err := export.Export(fixture(t), export.FormatCompose)
	if err != nil {
		t.Fatal(err)
	}
	for _, p := range export.Paths(files) {
		if !strings.HasPrefix(p, "docker-compose/") && !strings.HasPrefix(p, "docs/") {
			t.Errorf("compose export wrote %s", p)
		}
	}
	if strings.Contains(string(files["docs/README.md"]), "## Kustomize") {
		t.Error("README of a compose export explains Kustomize")
	}
}

func TestExportBadInput(t *testing.T) {
	in := fixture(t)
	if _, err := export.Export(in, "pulumi"); err == nil || !strings.Contains(err.Error(), `"pulumi"`) || !strings.Contains(err.Error(), "kustomize, helm, terraform, compose, all") {
		t.Errorf("unknown format: %v", err)
	}
	if _, err := export.Export(export.Input{Project: in.Project, Environments: in.Environments}, export.FormatAll); !errors.Is(err, export.ErrNoServices) {
		t.Errorf("no services: %v", err)
	}
	if _, err := export.Export(export.Input{Project: in.Project, Services: in.Services}, export.FormatAll); !errors.Is(err, export.ErrNoEnvironments) {
		t.Errorf("no environments: %v", err)
	}
}

// TestSecretsAreReferencesWithInstructions: every secret name gets a
// placeholder line in README, the workloads reference <service>-secrets and
// Compose an env_file; no Secret object is written.
func TestSecretsAreReferencesWithInstructions(t *testing.T) {
	in := fixture(t)
	files, err := export.Export(in, export.FormatAll)
	if err != nil {
		t.Fatal(err)
	}
	readme := string(files["docs/README.md"])
	for _, sv := range in.Services {
		for _, k := range sv.Config.Secrets {
			if !strings.Contains(readme, "--from-literal="+k+"=REPLACE_ME") {
				t.Errorf("README has no placeholder for %s's %s", sv.Name, k)
			}
		}
	}
	if !strings.Contains(string(files["kubernetes/base/api.yaml"]), "name: api-secrets") {
		t.Error("api's base does not reference api-secrets")
	}
	for name, b := range files {
		if strings.Contains(string(b), "kind: Secret\n") {
			t.Errorf("%s holds a Secret object", name)
		}
	}
}

package httpapi_test

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"context"
	"io"
	"net/http"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/rbac"
)

// TestExportProject: a viewer downloads the project as a tar.gz holding
// every format's files; the download is audited as projects.export with
// its format; an unknown format and a project without services are named.
func TestExportProject(t *testing.T) {
	forEachStore(t, func(t *testing.T, dsn string) {
		tm := newTeam(t, dsn)
		f := tm.newFixture(t, "exp")
		viewer := bearer(tm.tokens[rbac.Viewer])
		status, body := send(t, tm.e, "GET", "/api/v1/projects/"+f.project+"/export?format=all", viewer, nil)
		if status != http.StatusOK {
			t.Fatalf("export: %d %s", status, body)
		}
		files := untar(t, body)
		for _, want := range []string{"kubernetes/base/api.yaml", "kubernetes/overlays/production/kustomization.yaml",
			"terraform/environments/staging/main.tf", "terraform/modules/api/variables.tf",
			"docker-compose/docker-compose.yml", "helm/charts/shop/templates/api.yaml", "docs/README.md", "docs/MIGRATION.md", "docs/ARCHITECTURE.md"} {
			if _, ok := files[want]; !ok {
				t.Errorf("%s missing from the export", want)
			}
		}
		// The fixture's first development environment is the reference.
		if !bytes.Contains(files["docs/ARCHITECTURE.md"], []byte("| development (reference) |")) {
			t.Errorf("ARCHITECTURE.md:\n%s", files["docs/ARCHITECTURE.md"])
		}
		if !hasEntry(tm.auditEntries(t, f.org, ""), "projects.export", "success") {
			t.Error("no projects.export audit entry")
		}

		status, body = send(t, tm.e, "GET", "/api/v1/projects/"+f.project+"/export?format=pulumi", viewer, nil)
		if status != http.StatusBadRequest || errorCode(body) != "INVALID_PARAMETER" || !bytes.Contains(body, []byte("kustomize, helm, terraform, compose, all")) {
			t.Errorf("unknown format: %d %s", status, body)
		}

		empty := &capsule.Project{OrganizationID: f.org, Name: "empty", Slug: "empty"}
		must(t, empty.Validate())
		must(t, tm.e.api.Store().CreateProject(context.Background(), empty))
		status, body = send(t, tm.e, "GET", "/api/v1/projects/"+empty.ID+"/export", viewer, nil)
		if status != http.StatusConflict || !bytes.Contains(body, []byte("no services")) {
			t.Errorf("empty project: %d %s", status, body)
		}
	})
}

func untar(t *testing.T, b []byte) map[string][]byte {
	t.Helper()
	gz, err := gzip.NewReader(bytes.NewReader(b))
	if err != nil {
		t.Fatal(err)
	}
	tr := tar.NewReader(gz)
	out := map[string][]byte{}
	for {
		h, err := tr.Next()
		if err == io.EOF {
			return out
		}
		if err != nil {
			t.Fatal(err)
		}
		data, err := io.ReadAll(tr)
		if err != nil {
			t.Fatal(err)
		}
		out[h.Name] = data
	}
}

package export

import (
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/hashicorp/hcl/v2/hclparse"
	"github.com/usecapsule/capsule/internal/render"
)

// TestTerraformFormattedAndParses writes the Terraform files, checks that
// terraform fmt leaves them alone, parses each with the HCL library, and
// checks that what each environment's modules apply equals what Capsule
// renders there.
func TestTerraformFormattedAndParses(t *testing.T) {
	in := fixture(t)
	files, err := Export(in, FormatTerraform)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	writeFiles(t, dir, files)
	checkTerraform(t, in, files, dir)
}

func checkTerraform(t *testing.T, in Input, files map[string][]byte, dir string) {
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
			objs, err := RenderService(in.Project, e, sv, e.Namespace)
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

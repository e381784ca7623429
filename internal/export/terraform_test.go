package export_test

import (
	"testing"

	"github.com/usecapsule/capsule/internal/export"
	"github.com/usecapsule/capsule/internal/export/exportcheck"
)

// TestTerraformFormattedAndParses writes the Terraform files, checks that
// terraform fmt leaves them alone, parses each with the HCL library, and
// checks that what each environment's modules apply equals what Capsule
// renders there.
func TestTerraformFormattedAndParses(t *testing.T) {
	in := fixture(t)
	files, err := export.Export(in, export.FormatTerraform)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	exportcheck.WriteFiles(t, dir, files)
	exportcheck.Terraform(t, in, files, dir)
}

package export_test

import (
	"testing"

	"github.com/usecapsule/capsule/internal/export"
	"github.com/usecapsule/capsule/internal/export/exportcheck"
)

// TestHelmChartRendersWhatCapsuleRenders lints the chart and renders it
// with Helm's engine and each environment's values.
func TestHelmChartRendersWhatCapsuleRenders(t *testing.T) {
	in := fixture(t)
	files, err := export.Export(in, export.FormatHelm)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	exportcheck.WriteFiles(t, dir, files)
	exportcheck.Helm(t, in, files, dir)
}

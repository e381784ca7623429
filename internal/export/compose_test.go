package export_test

import (
	"testing"

	"github.com/usecapsule/capsule/internal/export"
	"github.com/usecapsule/capsule/internal/export/exportcheck"
)

// TestComposeLoads loads the Compose file with compose-go (the library of
// docker compose) and checks each service against the configuration.
func TestComposeLoads(t *testing.T) {
	in := fixture(t)
	files, err := export.Export(in, export.FormatCompose)
	if err != nil {
		t.Fatal(err)
	}
	dir := t.TempDir()
	exportcheck.WriteFiles(t, dir, files)
	exportcheck.Compose(t, in, dir)
}

package export_test

import (
	"testing"

	"github.com/usecapsule/capsule/internal/export"
	"github.com/usecapsule/capsule/internal/export/exportcheck"
)

// TestKustomizeOverlaysBuildWhatCapsuleRenders builds every overlay with
// the Kustomize library and compares it, object by object, with what
// Capsule renders for that environment with its namespace.
func TestKustomizeOverlaysBuildWhatCapsuleRenders(t *testing.T) {
	in := fixture(t)
	files, err := export.Export(in, export.FormatKustomize)
	if err != nil {
		t.Fatal(err)
	}
	exportcheck.Kustomize(t, in, files)
}

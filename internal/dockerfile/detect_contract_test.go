package dockerfile

import (
	"errors"
	"os"
	"path/filepath"
	"testing"

	"github.com/usecapsule/capsule/internal/detect"
)

// TestDetectFixtures generates the Dockerfile of every service detection
// finds in its fixture repositories, and checks each with BuildKit's parser
// and the structural rules: whatever detection reports, a Dockerfile that
// parses and keeps the rules comes out.
func TestDetectFixtures(t *testing.T) {
	dirs, err := filepath.Glob("../detect/testdata/repos/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no detection fixtures: %v", err)
	}
	n := 0
	for _, dir := range dirs {
		res, err := detect.Detect(dir, detect.Options{})
		var nd *detect.NotDetectedError
		if errors.As(err, &nd) || errors.Is(err, os.ErrNotExist) {
			continue
		}
		if err != nil {
			continue // malformed-manifest fixtures: detection's own tests cover them
		}
		for _, s := range res.Services {
			if s.Language == "" {
				continue // a repository with only its own Dockerfile: nothing to generate
			}
			f, err := Generate(s)
			if err != nil {
				t.Errorf("%s: %s: %v", filepath.Base(dir), s.Name, err)
				continue
			}
			checkStructure(t, s, f.Dockerfile)
			n++
		}
	}
	t.Logf("%d detected services generated", n)
}

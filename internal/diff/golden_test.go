package diff

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/usecapsule/capsule/internal/golden"
	"github.com/usecapsule/capsule/internal/manifest"
)

// TestGolden runs every testdata/<case> directory: current.yaml and
// proposed.yaml (and options.json when present) against want.json, want.txt
// and want.md.
func TestGolden(t *testing.T) {
	dirs, err := filepath.Glob("testdata/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no golden cases: %v", err)
	}
	for _, dir := range dirs {
		if filepath.Base(dir) == "fuzz" {
			continue // Go's fuzz corpus, not a golden case
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			res := computeCase(t, dir)
			js, err := json.MarshalIndent(res, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			var txt, md bytes.Buffer
			if err := RenderText(&txt, res, TextOptions{}); err != nil {
				t.Fatal(err)
			}
			if err := RenderMarkdown(&md, res); err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join(dir, "want.json"), append(js, '\n'))
			golden.Check(t, filepath.Join(dir, "want.txt"), txt.Bytes())
			golden.Check(t, filepath.Join(dir, "want.md"), md.Bytes())
		})
	}
}

func computeCase(t *testing.T, dir string) *Result {
	t.Helper()
	cur, err := manifest.Load(filepath.Join(dir, "current.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	prop, err := manifest.Load(filepath.Join(dir, "proposed.yaml"))
	if err != nil {
		t.Fatal(err)
	}
	var opts Options
	if b, err := os.ReadFile(filepath.Join(dir, "options.json")); err == nil {
		if err := json.Unmarshal(b, &opts); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Compute(cur, prop, opts)
	if err != nil {
		t.Fatal(err)
	}
	return res
}

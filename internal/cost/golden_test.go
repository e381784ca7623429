package cost

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"

	"github.com/usecapsule/capsule/internal/clusterstate"
	"github.com/usecapsule/capsule/internal/golden"
	"github.com/usecapsule/capsule/internal/manifest"
)

// TestGolden runs every testdata/<case>: objects.yaml is estimated, or
// current.yaml and proposed.yaml are compared; state/ is the cluster state
// and pricing.yaml the pricing override when present. want.json holds the
// result.
func TestGolden(t *testing.T) {
	dirs, _ := filepath.Glob("testdata/*")
	if len(dirs) == 0 {
		t.Fatal("no golden cases")
	}
	for _, dir := range dirs {
		if filepath.Base(dir) == "fuzz" {
			continue // Go's fuzz corpus, not a golden case
		}
		t.Run(filepath.Base(dir), func(t *testing.T) {
			got := runCase(t, dir)
			js, err := json.MarshalIndent(got, "", "  ")
			if err != nil {
				t.Fatal(err)
			}
			golden.Check(t, filepath.Join(dir, "want.json"), append(js, '\n'))
		})
	}
}

func runCase(t *testing.T, dir string) any {
	t.Helper()
	var st *clusterstate.State
	if _, err := os.Stat(filepath.Join(dir, "state")); err == nil {
		if st, err = clusterstate.Load(filepath.Join(dir, "state")); err != nil {
			t.Fatal(err)
		}
	}
	p := DefaultPricing()
	if data, err := os.ReadFile(filepath.Join(dir, "pricing.yaml")); err == nil {
		if p, err = ParsePricing("pricing.yaml", data); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := os.Stat(filepath.Join(dir, "objects.yaml")); err == nil {
		rep, err := Estimate(load(t, dir, "objects.yaml"), st, p, Options{})
		if err != nil {
			t.Fatal(err)
		}
		return rep
	}
	d, err := Delta(load(t, dir, "current.yaml"), load(t, dir, "proposed.yaml"), st, p, Options{})
	if err != nil {
		t.Fatal(err)
	}
	return d
}

func load(t *testing.T, dir, name string) []manifest.Object {
	t.Helper()
	objs, err := manifest.Load(filepath.Join(dir, name))
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

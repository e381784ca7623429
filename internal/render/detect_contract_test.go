package render

import (
	"path/filepath"
	"testing"

	"github.com/usecapsule/capsule/internal/detect"
	"github.com/usecapsule/capsule/internal/servicespec"
)

// TestDetectFixtures renders, in every environment capsule init writes,
// every service detection finds in its fixture repositories, and validates
// each object: whatever detection reports, render's output is valid.
func TestDetectFixtures(t *testing.T) {
	dirs, err := filepath.Glob("../detect/testdata/repos/*")
	if err != nil || len(dirs) == 0 {
		t.Fatalf("no detection fixtures: %v", err)
	}
	n := 0
	for _, dir := range dirs {
		res, err := detect.Detect(dir, detect.Options{})
		if err != nil {
			continue // undetectable or malformed fixtures: detection's own tests cover them
		}
		for _, sv := range res.Services {
			b, err := servicespec.Marshal(servicespec.FromDetection(sv))
			if err != nil {
				t.Fatal(err)
			}
			f, err := servicespec.Parse(filepath.Base(dir)+"/capsule.yaml", b)
			if err != nil {
				t.Errorf("%v\n%s", err, b)
				continue
			}
			for _, env := range append([]string{""}, f.Environments()...) {
				spec, err := f.Resolve(env)
				if err != nil {
					t.Fatal(err)
				}
				objs, err := Render(spec, Options{Env: env, Namespace: "ns"})
				if err != nil {
					t.Fatalf("%s: %v", dir, err)
				}
				for _, o := range objs {
					validateObject(t, o)
				}
				y, err := Marshal(objs, "yaml")
				if err != nil {
					t.Fatal(err)
				}
				strictDecodeAll(t, y)
				n++
			}
		}
	}
	t.Logf("%d service environments rendered", n)
}

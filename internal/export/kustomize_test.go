package export

import (
	"bytes"
	"encoding/json"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/usecapsule/capsule/internal/render"
	"sigs.k8s.io/kustomize/api/krusty"
	"sigs.k8s.io/kustomize/kyaml/filesys"
	"sigs.k8s.io/yaml"
)

// TestKustomizeOverlaysBuildWhatCapsuleRenders builds every overlay with
// the Kustomize library and compares it, object by object, with what
// Capsule renders for that environment with its namespace.
func TestKustomizeOverlaysBuildWhatCapsuleRenders(t *testing.T) {
	in := fixture(t)
	files, err := Export(in, FormatKustomize)
	if err != nil {
		t.Fatal(err)
	}
	checkKustomize(t, in, files, "")
}

// checkKustomize builds each overlay of files (under prefix) and compares.
func checkKustomize(t *testing.T, in Input, files map[string][]byte, prefix string) {
	t.Helper()
	fs := filesys.MakeFsInMemory()
	for name, b := range files {
		if err := fs.WriteFile("/out/"+prefix+name, b); err != nil {
			t.Fatal(err)
		}
	}
	k := krusty.MakeKustomizer(krusty.MakeDefaultOptions())
	if len(in.Environments) == 0 {
		t.Fatal("no environments")
	}
	for _, e := range in.Environments {
		rm, err := k.Run(fs, "/out/"+prefix+"kubernetes/overlays/"+e.Name)
		if err != nil {
			t.Fatalf("%s: kustomize build: %v", e.Name, err)
		}
		got, err := rm.AsYaml()
		if err != nil {
			t.Fatal(err)
		}
		want := []render.Object{render.Namespace(e.Namespace)}
		for _, sv := range in.Services {
			objs, err := RenderService(in.Project, e, sv, e.Namespace)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, objs...)
		}
		wantYAML, err := render.Marshal(want, "yaml")
		if err != nil {
			t.Fatal(err)
		}
		g, w := normalized(t, got), normalized(t, wantYAML)
		if len(w) < 10 {
			t.Fatalf("%s: only %d objects rendered", e.Name, len(w))
		}
		if d := cmp.Diff(w, g); d != "" {
			t.Errorf("%s: kustomize build differs from capsule render (-render +kustomize):\n%s", e.Name, d)
		}
	}
}

// normalized decodes a YAML stream into objects keyed by kind/ns/name.
func normalized(t *testing.T, stream []byte) map[string]any {
	t.Helper()
	out := map[string]any{}
	for _, doc := range bytes.Split(stream, []byte("\n---\n")) {
		if len(bytes.TrimSpace(doc)) == 0 {
			continue
		}
		j, err := yaml.YAMLToJSON(doc)
		if err != nil {
			t.Fatal(err)
		}
		var o map[string]any
		if err := json.Unmarshal(j, &o); err != nil {
			t.Fatal(err)
		}
		m, _ := o["metadata"].(map[string]any)
		out[strings.Join([]string{o["kind"].(string), str(m["namespace"]), str(m["name"])}, "/")] = o
	}
	return out
}

func str(v any) string { s, _ := v.(string); return s }

func sortedNames(m map[string]any) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

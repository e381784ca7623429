package manifest

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestLoadDirectory(t *testing.T) {
	objs, err := Load("testdata/app")
	if err != nil {
		t.Fatal(err)
	}
	var got []string
	for _, o := range objs {
		got = append(got, o.Key()+"@"+filepath.ToSlash(o.File)+"#"+itoa(o.Doc))
	}
	want := []string{
		"Deployment/web@testdata/app/deploy.yaml#0",
		"Service/web@testdata/app/deploy.yaml#1",
		"ConfigMap/cfg@testdata/app/nested/list.json#0",
		"Rollout/web@testdata/app/nested/list.json#0",
	}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Fatalf("got\n%s\nwant\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if r, _, _ := unstructuredInt(objs[0].Object, "spec", "replicas"); r != 3 {
		t.Errorf("replicas decoded as %v, want int64 3", r)
	}
	if id := objs[3].ID(); id.Group != "argoproj.io" || id.Kind != "Rollout" {
		t.Errorf("Rollout ID = %+v", id)
	}
}

func itoa(i int) string { return string(rune('0' + i)) }

func unstructuredInt(m map[string]any, path ...string) (int64, bool, error) {
	var cur any = m
	for _, p := range path {
		cur = cur.(map[string]any)[p]
	}
	v, ok := cur.(int64)
	return v, ok, nil
}

func TestParseErrorsNameDocument(t *testing.T) {
	cases := []struct {
		name, in string
		want     error
		msg      string
	}{
		{"invalid yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\nkind: [\n", ErrInvalidYAML, "x.yaml: document 1"},
		{"missing kind", "apiVersion: v1\nmetadata: {name: a}\n", ErrMissing, "document 0: required field missing: kind"},
		{"missing apiVersion", "kind: ConfigMap\nmetadata: {name: a}\n", ErrMissing, "apiVersion"},
		{"missing name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {}\n", ErrMissing, "metadata.name"},
		{"missing metadata", "apiVersion: v1\nkind: ConfigMap\n", ErrMissing, "metadata"},
		{"lower-case kind", "apiVersion: v1\nkind: configMap\nmetadata: {name: a}\n", ErrInvalid, "kind \"configMap\""},
		{"bad apiVersion", "apiVersion: a/b/c\nkind: ConfigMap\nmetadata: {name: a}\n", ErrInvalid, "apiVersion"},
		{"scalar document", "hello\n", ErrInvalid, "document is a string"},
		{"duplicate", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n", ErrDuplicate, "document 1: duplicate object core/ConfigMap/-/a: already defined in x.yaml (document 0)"},
		{"bad list item", "apiVersion: v1\nkind: List\nitems:\n- 3\n", ErrInvalid, "document 0: item 0"},
		{"boolean name", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: n}\n", ErrInvalid, "metadata.name of a ConfigMap is a boolean"},
		{"bad labels", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a, labels: {x: 1}}\n", ErrInvalid, "labels"},
		// Real-world inputs (round 2): the YAML line is the file's, not the
		// document's; unrendered templates and tool inputs say what to do.
		{"file line", "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: b\n  x: y: z\n", ErrInvalidYAML, "document 1: invalid YAML: line 9: mapping values"},
		{"helm template", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: {{ .Release.Name }}\n", ErrInvalidYAML, "render it first, e.g. with helm template"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs, err := Parse("x.yaml", []byte(c.in))
			if objs != nil {
				t.Errorf("got %d objects with an error, want none", len(objs))
			}
			if !errors.Is(err, c.want) {
				t.Fatalf("err = %v, want %v", err, c.want)
			}
			if !strings.Contains(err.Error(), c.msg) {
				t.Errorf("err = %q, want it to contain %q", err, c.msg)
			}
		})
	}
}

func TestParseToolInputs(t *testing.T) {
	for name, in := range map[string]string{
		"kustomization.yaml": "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources: [deploy.yaml]\n",
		"Chart.yaml":         "apiVersion: v2\nname: web\nversion: 1.2.3\n",
		"values.yaml":        "replicaCount: 1\n",
	} {
		_, err := Parse(name, []byte(in))
		if !errors.Is(err, ErrInvalid) || !strings.Contains(err.Error(), name+": document 0: invalid object: this is a") {
			t.Errorf("%s: err = %v, want it named as a tool input", name, err)
		}
	}
}

func TestLoadCollectsAllErrors(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "a.yaml"), "kind: A\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n")
	write(t, filepath.Join(dir, "b.yml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: ok}\n---\n: : :\n")
	objs, err := Load(dir)
	if objs != nil {
		t.Fatal("partial result returned with errors")
	}
	var le LoadErrors
	if !errors.As(err, &le) || len(le) != 3 {
		t.Fatalf("want 3 errors, got %v", err)
	}
	if le[0].Doc != 0 || le[1].Doc != 0 || le[2].Doc != 1 {
		t.Errorf("doc indexes = %d %d %d", le[0].Doc, le[1].Doc, le[2].Doc)
	}
}

func TestLoadSymlinkLoop(t *testing.T) {
	dir := t.TempDir()
	write(t, filepath.Join(dir, "cm.yaml"), "apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n")
	if err := os.Symlink(dir, filepath.Join(dir, "loop")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink(filepath.Join(dir, "self.yaml"), filepath.Join(dir, "self.yaml")); err != nil {
		t.Fatal(err)
	}
	_, err := Load(dir)
	if !errors.Is(err, ErrSymlinkLoop) {
		t.Fatalf("err = %v, want a symlink loop", err)
	}
	var le LoadErrors
	errors.As(err, &le)
	if len(le) != 2 {
		t.Fatalf("want 2 loop errors (dir and self link), got %v", err)
	}
}

func TestLoadTooLarge(t *testing.T) {
	p := filepath.Join(t.TempDir(), "big.yaml")
	f, err := os.Create(p)
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(MaxFileSize + 1); err != nil {
		t.Fatal(err)
	}
	f.Close()
	_, err = Load(p)
	if !errors.Is(err, ErrTooLarge) || !strings.Contains(err.Error(), "big.yaml") {
		t.Fatalf("err = %v, want too large naming the file", err)
	}
}

func TestLoadMissingPath(t *testing.T) {
	_, err := Load("testdata/nope")
	if err == nil || !strings.Contains(err.Error(), "testdata/nope") {
		t.Fatalf("err = %v", err)
	}
}

func write(t *testing.T, p, s string) {
	t.Helper()
	if err := os.WriteFile(p, []byte(s), 0o644); err != nil {
		t.Fatal(err)
	}
}

func TestParseBOMAndCRLF(t *testing.T) {
	in := "\ufeffapiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: a}\r\n---\r\napiVersion: v1\r\nkind: ConfigMap\r\nmetadata: {name: b}\r\n"
	objs, err := Parse("win.yaml", []byte(in))
	if err != nil {
		t.Fatal(err)
	}
	if len(objs) != 2 || objs[1].GetName() != "b" || objs[1].Doc != 1 {
		t.Fatalf("got %d objects", len(objs))
	}
}

func TestParseAliasBomb(t *testing.T) {
	bomb := "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\nc: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\ne: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\ng: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]\nh: [*g,*g,*g,*g,*g,*g,*g,*g,*g]\n"
	_, err := Parse("bomb.yaml", []byte(bomb))
	if !errors.Is(err, ErrInvalidYAML) {
		t.Fatalf("err = %v, want invalid YAML (excessive aliasing)", err)
	}
}

// An object of a kind its API group does not serve is loaded with the rest
// (the preview reports it on the object); Unserved says what is wrong.
func TestUnservedKindLoaded(t *testing.T) {
	cases := []struct{ in, want string }{
		{"apiVersion: v1\nkind: Deployment\nmetadata: {name: a}\n", "kind Deployment is not served by the core API group; it belongs to apps"},
		{"apiVersion: apps/v1\nkind: Deploymnet\nmetadata: {name: a}\n", "kind Deploymnet is not served by the apps API group"},
		{"apiVersion: v1\nkind: PodDisruptionBudget\nmetadata: {name: a}\n", "it belongs to policy"},
	}
	for _, c := range cases {
		objs, err := Parse("x.yaml", []byte(c.in+"---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: b}\n"))
		if err != nil || len(objs) != 2 {
			t.Fatalf("%q: got %d objects, %v; want both loaded", c.in, len(objs), err)
		}
		err = Unserved(objs[0].GetAPIVersion(), objs[0].GetKind())
		if !errors.Is(err, ErrUnknownKind) || !strings.Contains(err.Error(), c.want) {
			t.Errorf("%q: Unserved = %v, want %q", c.in, err, c.want)
		}
		if err := Unserved(objs[1].GetAPIVersion(), objs[1].GetKind()); err != nil {
			t.Errorf("ConfigMap: Unserved = %v", err)
		}
	}
}

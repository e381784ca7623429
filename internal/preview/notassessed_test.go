package preview

import (
	"bytes"
	"encoding/json"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/diff"
	"github.com/usecapsule/capsule/internal/golden"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/risk"
)

// render writes p in every format, failing the test on a render error.
func render(t testing.TB, p *Preview) map[string][]byte {
	t.Helper()
	out := map[string][]byte{}
	for ext, write := range map[string]func(*bytes.Buffer) error{
		"json": func(b *bytes.Buffer) error { return p.WriteJSON(b) },
		"txt":  func(b *bytes.Buffer) error { return p.WriteText(b) },
		"md":   func(b *bytes.Buffer) error { return p.WriteMarkdown(b) },
	} {
		var b bytes.Buffer
		if err := write(&b); err != nil {
			t.Fatalf("%s: %v", ext, err)
		}
		out[ext] = b.Bytes()
	}
	return out
}

// TestNotAssessed: a promotion holding an OpenShift DeploymentConfig and
// Route, a CustomResourceDefinition with one of its objects and an Argo
// Rollout is previewed. The built-in kinds, the Rollout and the
// DeploymentConfig (its pod template reads like a Deployment's) are judged,
// so the DeploymentConfig made privileged is a new finding; the Route and
// the Widget are named as not assessed in every format.
func TestNotAssessed(t *testing.T) {
	dir := "testdata/unknown-kinds"
	p, err := Build(Input{Current: load(t, filepath.Join(dir, "current")), Proposed: load(t, filepath.Join(dir, "proposed"))})
	if err != nil {
		t.Fatal(err)
	}
	want := []risk.ObjectRef{
		{APIVersion: "route.openshift.io/v1", Kind: "Route", Name: "web", Namespace: "team", Reason: risk.ReasonUnknownKind},
		{APIVersion: "example.com/v1", Kind: "Widget", Name: "w1", Namespace: "team", Reason: risk.ReasonUnknownKind},
	}
	if got, _ := json.Marshal(p.NotAssessed); string(got) != string(mustMarshal(t, want)) {
		t.Errorf("not assessed = %s\nwant %s", got, mustMarshal(t, want))
	}
	var rolloutRoot, dcPrivileged bool
	for _, f := range p.Risks {
		for _, r := range want {
			if f.Resource == r.Kind+"/"+r.Name && f.Rule != "service-selector-matches-nothing" {
				t.Errorf("finding on a kind that is not assessed: %+v", f)
			}
		}
		rolloutRoot = rolloutRoot || (f.Rule == "runs-as-root" && f.Resource == "Rollout/canary" && f.Status == risk.StatusNew && f.Severity == 6)
		dcPrivileged = dcPrivileged || (f.Rule == "privileged-container" && f.Resource == "DeploymentConfig/legacy" && f.Status == risk.StatusNew)
	}
	if !dcPrivileged {
		t.Errorf("the DeploymentConfig made privileged was not judged: %+v", p.Risks)
	}
	if !rolloutRoot {
		t.Errorf("the Rollout running as root was not judged: %+v", p.Risks)
	}
	out := render(t, p)
	if !strings.Contains(string(out["txt"]), "Not assessed: 2 objects no risk rule could judge\n  Route/web (route.openshift.io/v1, namespace team): a kind the risk rules do not know\n") {
		t.Errorf("text lacks the not-assessed line:\n%s", out["txt"])
	}
	if !strings.Contains(string(out["md"]), "### Not assessed\n\n2 objects no risk rule could judge:\n\n- `Route/web` (route.openshift.io/v1, namespace team): a kind the risk rules do not know\n") {
		t.Errorf("Markdown lacks the not-assessed line:\n%s", out["md"])
	}
	for ext, b := range out {
		golden.Check(t, filepath.Join(dir, "want."+ext), b)
	}
}

// TestNotAssessedEmpty: a preview of known kinds only has an empty list in
// JSON (the shape stays the same) and no line in text or Markdown.
func TestNotAssessedEmpty(t *testing.T) {
	p, err := Build(boutique(t, false))
	if err != nil {
		t.Fatal(err)
	}
	out := render(t, p)
	if !strings.Contains(string(out["json"]), `"not_assessed": []`) {
		t.Errorf("JSON lacks an empty not_assessed list")
	}
	if strings.Contains(string(out["txt"]), "Not assessed") || strings.Contains(string(out["md"]), "Not assessed") {
		t.Errorf("a not-assessed line although every kind is known")
	}
}

func mustMarshal(t testing.TB, v any) []byte {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return b
}

// TestNullFields previews testdata/nulls/*.yaml (fields written as null
// where an object or list is expected, the same name in two namespaces) as
// a new environment and against itself. Each must build, render and give
// the findings in testdata/nulls/<name>.txt, never stop the preview. Sets
// holding one Kind/name in two namespaces are matched by namespace, as the
// preview asks for them (see TestSameNameNeedsNamespaces).
func TestNullFields(t *testing.T) {
	files, err := filepath.Glob("testdata/nulls/*.yaml")
	if err != nil || len(files) == 0 {
		t.Fatalf("no null fixtures: %v", err)
	}
	for _, file := range files {
		t.Run(filepath.Base(file), func(t *testing.T) {
			objs := load(t, file)
			opts := diff.Options{MatchNamespace: strings.HasPrefix(filepath.Base(file), "same-name")}
			p, err := Build(Input{Proposed: objs, Diff: opts})
			if err != nil {
				t.Fatal(err)
			}
			same, err := Build(Input{Current: objs, Proposed: objs, Diff: opts})
			if err != nil {
				t.Fatal(err)
			}
			for _, f := range same.Risks {
				if f.Status == risk.StatusNew && f.Resource != "" {
					t.Errorf("a set compared with itself has a new finding: %+v", f)
				}
			}
			golden.Check(t, strings.TrimSuffix(file, ".yaml")+".txt", render(t, p)["txt"])
		})
	}
}

// TestSameNameNeedsNamespaces: one Kind/name in two namespaces of a set,
// matched by Kind/name, is an error naming both places and the way out.
func TestSameNameNeedsNamespaces(t *testing.T) {
	_, err := Build(Input{Proposed: load(t, "testdata/nulls/same-name.yaml")})
	want := `proposed set: Deployment/web is ambiguous: it is in namespace "blue"`
	if err == nil || !strings.Contains(err.Error(), want) || !strings.Contains(err.Error(), "match by namespace") {
		t.Errorf("error %v, want one containing %q and the advice", err, want)
	}
}

// TestBrokenObjectsReachingTheEngine: objects the loader would refuse (no
// metadata, no kind, the same object twice) can still reach Build from
// code; they must give findings or notes, not a panic.
func TestBrokenObjectsReachingTheEngine(t *testing.T) {
	objs, err := manifest.Parse("ok.yaml", []byte(`apiVersion: apps/v1
kind: Deployment
metadata: {name: web}
spec:
  selector: {matchLabels: {app: web}}
  template:
    metadata: {labels: {app: web}}
    spec: {containers: [{name: web, image: web, securityContext: {privileged: true}}]}
`))
	if err != nil {
		t.Fatal(err)
	}
	web := objs[0]
	noMeta := web.DeepCopy()
	delete(noMeta.Object, "metadata")
	noKind := web.DeepCopy()
	delete(noKind.Object, "kind")
	delete(noKind.Object, "apiVersion")
	custom := web.DeepCopy()
	custom.SetAPIVersion("example.com/v1")
	custom.SetKind("Widget")
	custom.Object["metadata"] = nil
	broken := []manifest.Object{web, {Unstructured: noMeta}, {Unstructured: noKind}, {Unstructured: custom}}
	p, err := Build(Input{Proposed: broken})
	if err != nil {
		t.Fatal(err)
	}
	render(t, p)
	privileged := 0
	for _, f := range p.Risks {
		if f.Rule == "privileged-container" {
			privileged++
		}
	}
	if privileged == 0 {
		t.Errorf("the privileged container was not judged: %+v", p.Risks)
	}
	if len(p.NotAssessed) != 1 || p.NotAssessed[0].Kind != "Widget" || p.NotAssessed[0].Name != "" {
		t.Errorf("not assessed = %+v, want the nameless Widget", p.NotAssessed)
	}
}

// TestLoaderNamesBrokenObjects: what the loader refuses (no metadata, a
// null metadata, the same object twice) is an error naming the document
// and the problem, so the preview stops with a reason rather than a crash.
func TestLoaderNamesBrokenObjects(t *testing.T) {
	for name, tc := range map[string]struct{ doc, want string }{
		"no metadata":   {"apiVersion: v1\nkind: ConfigMap\ndata: {a: b}\n", "document 0: required field missing: metadata"},
		"null metadata": {"apiVersion: v1\nkind: ConfigMap\nmetadata: null\n", "document 0: required field missing: metadata"},
		"duplicate": {"apiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n---\napiVersion: v1\nkind: ConfigMap\nmetadata: {name: a}\n",
			"document 1: duplicate object core/ConfigMap/-/a"},
	} {
		_, err := manifest.Parse("set.yaml", []byte(tc.doc))
		if err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%s: error %v, want one containing %q", name, err, tc.want)
		}
	}
}

// FuzzBuild: whatever the loader accepts, the preview builds and renders,
// as a new environment and as a change from the first half of the objects,
// or refuses with an error naming the document.
// The seeds are the null and unknown-kind fixtures.
func FuzzBuild(f *testing.F) {
	seeds, _ := filepath.Glob("testdata/nulls/*.yaml")
	more, _ := filepath.Glob("testdata/unknown-kinds/*/*.yaml")
	for _, s := range append(seeds, more...) {
		f.Add(readFile(f, s))
	}
	f.Add([]byte("apiVersion: v1\nkind: Pod\nmetadata: {name: p}\nspec: {containers: [null, {name: c, securityContext: {capabilities: {add: [null, SYS_ADMIN], drop: null}}}]}\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		objs, err := manifest.Parse("fuzz.yaml", data)
		if err != nil {
			return
		}
		for _, in := range []Input{{Proposed: objs}, {Current: objs[:len(objs)/2], Proposed: objs}} {
			p, err := Build(in)
			if err != nil && strings.Contains(err.Error(), " is ambiguous: it is in namespace ") {
				in.Diff.MatchNamespace = true // the error's advice
				p, err = Build(in)
			}
			if err != nil {
				// A value no engine can use (replicas: A) stops the
				// preview with the document and field it is in.
				if !strings.Contains(err.Error(), "document ") {
					t.Fatalf("an error that does not name the document: %v", err)
				}
				continue
			}
			render(t, p)
		}
	})
}

func readFile(tb testing.TB, path string) []byte {
	tb.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		tb.Fatal(err)
	}
	return b
}

package render

import (
	"bytes"
	"path/filepath"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/golden"
	"github.com/usecapsule/capsule/internal/servicespec"
)

// renderCase is one golden test: a capsule.yaml, an environment and options.
type renderCase struct {
	name string
	file string
	env  string
	opts Options
}

// cases cover every service type, every preset and every strategy.
var cases = []renderCase{
	{name: "web-small-production", file: "web.yaml", env: "production", opts: Options{Namespace: "shop", PartOf: "acme-shop"}},
	{name: "web-staging", file: "web.yaml", env: "staging", opts: Options{Namespace: "shop-staging"}},
	{name: "api-medium-canary", file: "api-canary.yaml", env: "production", opts: Options{Namespace: "orders", CanaryImage: "ghcr.io/acme/orders:2.0.0"}},
	{name: "api-canary-steady", file: "api-canary.yaml", env: "production", opts: Options{Namespace: "orders"}},
	{name: "worker-large", file: "worker.yaml", env: "production", opts: Options{Namespace: "mail", Image: "ghcr.io/acme/mailer@sha256:0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef", SecretData: map[string]string{"SMTP_PASSWORD": "x", "BROKER_URL": "redis://"}}},
	{name: "static-dev", file: "static.yaml", env: "", opts: Options{}},
	{name: "static-own-nginx-80", file: "static-nginx80.yaml", env: "production", opts: Options{Namespace: "web"}},
	{name: "cron-xlarge", file: "cron.yaml", env: "production", opts: Options{Namespace: "billing"}},
	{name: "stateful", file: "stateful.yaml", env: "production", opts: Options{Namespace: "search", Image: "ghcr.io/acme/search:0.4.1"}},
	{name: "bluegreen-green", file: "bluegreen.yaml", env: "production", opts: Options{Namespace: "portal", Slot: "green", IngressNamespace: "traefik"}},
}

func resolve(t testing.TB, file, env string) *servicespec.Spec {
	t.Helper()
	f, err := servicespec.Load(filepath.Join("testdata", "cases", file))
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Resolve(env)
	if err != nil {
		t.Fatal(err)
	}
	return s
}

func renderCaseObjects(t testing.TB, c renderCase) []Object {
	t.Helper()
	c.opts.Env = c.env
	objs, err := Render(resolve(t, c.file, c.env), c.opts)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

// TestGolden renders every case, validates every object and compares the
// YAML with the golden file.
func TestGolden(t *testing.T) {
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			objs := renderCaseObjects(t, c)
			for _, o := range objs {
				validateObject(t, o)
			}
			b, err := Marshal(objs, "yaml")
			if err != nil {
				t.Fatal(err)
			}
			strictDecodeAll(t, b)
			golden.Check(t, filepath.Join("testdata", "golden", c.name+".yaml"), b)
		})
	}
}

func TestDeterministic(t *testing.T) {
	for _, c := range cases {
		a, _ := Marshal(renderCaseObjects(t, c), "yaml")
		b, _ := Marshal(renderCaseObjects(t, c), "yaml")
		if !bytes.Equal(a, b) {
			t.Errorf("%s: two renders differ", c.name)
		}
	}
}

func TestChecksumChangesWithConfig(t *testing.T) {
	s := resolve(t, "web.yaml", "production")
	before := podAnnotations(t, s, Options{})
	s.Env["API_URL"] = "http://api-v2"
	after := podAnnotations(t, s, Options{})
	if before[AnnotationConfigChecksum] == after[AnnotationConfigChecksum] {
		t.Error("changing env did not change checksum/config")
	}
	withSecret := podAnnotations(t, s, Options{SecretData: map[string]string{"SESSION_SECRET": "a"}})
	rotated := podAnnotations(t, s, Options{SecretData: map[string]string{"SESSION_SECRET": "b"}})
	if withSecret[AnnotationSecretChecksum] == rotated[AnnotationSecretChecksum] {
		t.Error("rotating a secret did not change checksum/secret")
	}
	if b, _ := Marshal(mustRender(t, s, Options{SecretData: map[string]string{"SESSION_SECRET": "hunter2"}}), "yaml"); bytes.Contains(b, []byte("hunter2")) {
		t.Error("a secret value was rendered")
	}
}

func mustRender(t *testing.T, s *servicespec.Spec, o Options) []Object {
	t.Helper()
	objs, err := Render(s, o)
	if err != nil {
		t.Fatal(err)
	}
	return objs
}

func podAnnotations(t *testing.T, s *servicespec.Spec, o Options) map[string]string {
	t.Helper()
	for _, obj := range mustRender(t, s, o) {
		if tmpl := podTemplateOf(obj); tmpl != nil {
			return tmpl.Annotations
		}
	}
	t.Fatal("no workload")
	return nil
}

func TestJSONList(t *testing.T) {
	b, err := Marshal(renderCaseObjects(t, cases[0]), "json")
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(b, []byte("{\n  \"apiVersion\": \"v1\",\n  \"items\"")) || !bytes.Contains(b, []byte(`"kind": "List"`)) {
		t.Errorf("not a v1 List:\n%.200s", b)
	}
	if _, err := Marshal(nil, "xml"); err == nil {
		t.Error("xml accepted")
	}
}

func TestRejectsUnresolvedSpec(t *testing.T) {
	if _, err := Render(&servicespec.Spec{Name: "a", Type: "web"}, Options{}); err == nil || !strings.Contains(err.Error(), "resolve") {
		t.Fatalf("got %v", err)
	}
	s := resolve(t, "web.yaml", "")
	if _, err := Render(s, Options{Slot: "red"}); err == nil {
		t.Fatal("slot red accepted")
	}
}

package exportcheck

import (
	"path/filepath"
	"sort"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
	"github.com/usecapsule/capsule/internal/export"
	"github.com/usecapsule/capsule/internal/render"
	"helm.sh/helm/v3/pkg/chart/loader"
	"helm.sh/helm/v3/pkg/chartutil"
	"helm.sh/helm/v3/pkg/engine"
	"helm.sh/helm/v3/pkg/lint"
	"helm.sh/helm/v3/pkg/lint/support"
	"sigs.k8s.io/yaml"
)

// Helm lints the chart under dir/helm/charts/<project> with each
// environment's values and renders it with Helm's engine, comparing the
// result object by object with what Capsule renders there (the Namespace
// aside: helm install --create-namespace makes it).
func Helm(t *testing.T, in export.Input, files map[string][]byte, dir string) {
	t.Helper()
	chartDir := filepath.Join(dir, "helm", "charts", in.Project.Slug)
	ch, err := loader.Load(chartDir)
	if err != nil {
		t.Fatalf("helm: loading the chart: %v", err)
	}
	for _, e := range in.Environments {
		var vals map[string]any
		if err := yaml.Unmarshal(files["helm/values-"+e.Name+".yaml"], &vals); err != nil {
			t.Fatalf("%s: values: %v", e.Name, err)
		}
		l := lint.All(chartDir, vals, e.Namespace, false)
		for _, m := range l.Messages {
			if m.Severity >= support.WarningSev {
				t.Errorf("%s: helm lint: %s", e.Name, m)
			}
		}
		rv, err := chartutil.ToRenderValues(ch, vals, chartutil.ReleaseOptions{Name: in.Project.Slug, Namespace: e.Namespace, IsInstall: true}, nil)
		if err != nil {
			t.Fatal(err)
		}
		out, err := engine.Render(ch, rv)
		if err != nil {
			t.Fatalf("%s: helm template: %v", e.Name, err)
		}
		var got strings.Builder
		for _, name := range sortedKeys(out) {
			got.WriteString("\n---\n" + out[name])
		}
		var want []render.Object
		for _, sv := range in.Services {
			objs, err := export.RenderService(in.Project, e, sv, e.Namespace)
			if err != nil {
				t.Fatal(err)
			}
			want = append(want, objs...)
		}
		wantYAML, err := render.Marshal(want, "yaml")
		if err != nil {
			t.Fatal(err)
		}
		if d := cmp.Diff(normalized(t, wantYAML), normalized(t, []byte(got.String()))); d != "" {
			t.Errorf("%s: helm template differs from capsule render (-render +helm):\n%s", e.Name, d)
		}
	}
}

func sortedKeys(m map[string]string) []string {
	var ks []string
	for k := range m {
		ks = append(ks, k)
	}
	sort.Strings(ks)
	return ks
}

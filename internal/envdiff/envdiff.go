// Package envdiff compares the desired states of two environments of one
// project (what each runs by Capsule's records) through the diff engine,
// so that only real differences remain: a different image, replica count,
// variable, resource or object, not the namespace or the environment's
// name written into labels and derived names.
//
// Design decisions:
//   - Each side is the environment's desired state (envstate.Desired: the
//     newest successful deployment of each service). A service deployed to
//     only one side shows as added or removed objects.
//   - What naturally differs is neutralised on both sides before comparing:
//     the namespace (objects match without it, and the Namespace objects
//     themselves are left out), the capsule.dev/environment label, the
//     app.kubernetes.io/version label (a copy of the image tag, which is
//     compared where the image is set), the
//     capsule.dev/revision annotation (release numbers count per
//     environment), and every occurrence of the environment's name or
//     namespace as a whole word (bounded by anything but a letter or digit)
//     inside a string, which covers derived names such as the
//     app.kubernetes.io/instance label "web-staging" or a host
//     "web.staging.example.com": they become "$(environment)" and
//     "$(namespace)".
//   - Secret values stay redacted by the diff engine; changes are reported
//     as diff.Result, the preview's diff shape.
package envdiff

import (
	"regexp"
	"sort"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/diff"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/manifest"
)

// Placeholders stand for an environment's own names on both sides.
const (
	EnvironmentPlaceholder = "$(environment)"
	NamespacePlaceholder   = "$(namespace)"
)

// Side names one environment and where its state came from.
type Side struct {
	Environment   string          `json:"environment"`
	EnvironmentID string          `json:"environment_id"`
	Namespace     string          `json:"namespace"`
	Source        envstate.Source `json:"source"`
	Parts         []envstate.Part `json:"services"`
}

// Result is the difference from one environment to another.
type Result struct {
	From      Side         `json:"from"`
	To        Side         `json:"to"`
	Identical bool         `json:"identical"`
	Diff      *diff.Result `json:"diff"`
}

// Compare returns what differs from environment from (state a) to
// environment to (state b).
func Compare(from, to *capsule.Environment, a, b envstate.State) (*Result, error) {
	res, err := diff.Compute(neutral(from, a.Objects), neutral(to, b.Objects), diff.Options{})
	if err != nil {
		return nil, err
	}
	out := &Result{From: side(from, a), To: side(to, b), Diff: res}
	out.Identical = len(res.Added)+len(res.Removed)+len(res.Modified) == 0
	return out, nil
}

func side(e *capsule.Environment, st envstate.State) Side {
	parts := st.Parts
	if parts == nil {
		parts = []envstate.Part{}
	}
	return Side{Environment: e.Name, EnvironmentID: e.ID, Namespace: e.Namespace, Source: st.Source, Parts: parts}
}

// Words that an environment's name or namespace may be part of.
func wordPattern(word string) *regexp.Regexp {
	return regexp.MustCompile(`(^|[^A-Za-z0-9])` + regexp.QuoteMeta(word) + `($|[^A-Za-z0-9])`)
}

// neutral returns copies of objs without what belongs to env itself.
func neutral(env *capsule.Environment, objs []manifest.Object) []manifest.Object {
	// The longer word first: a namespace "shop-staging" holds the name
	// "staging".
	type sub struct {
		re   *regexp.Regexp
		with string
	}
	subs := []sub{{wordPattern(env.Namespace), NamespacePlaceholder}}
	if env.Name != env.Namespace {
		subs = append(subs, sub{wordPattern(env.Name), EnvironmentPlaceholder})
	}
	sort.SliceStable(subs, func(i, j int) bool { return len(subs[i].re.String()) > len(subs[j].re.String()) })
	replace := func(s string) string {
		for _, x := range subs {
			// ReplaceAll with the bounds kept; run twice so that adjacent
			// occurrences sharing one bound ("a.staging.staging") both go.
			for i := 0; i < 2; i++ {
				s = x.re.ReplaceAllString(s, "${1}"+x.with+"${2}")
			}
		}
		return s
	}
	out := make([]manifest.Object, 0, len(objs))
	for _, o := range objs {
		if o.GetKind() == "Namespace" {
			continue
		}
		c := o
		c.Unstructured = o.DeepCopy()
		labels := c.GetLabels()
		for _, k := range derivedLabels {
			delete(labels, k)
		}
		c.SetLabels(labels)
		ann := c.GetAnnotations()
		delete(ann, "capsule.dev/revision")
		c.SetAnnotations(ann)
		dropTemplateLabel(c.Object)
		c.Object = walk(c.Object, replace).(map[string]any)
		out = append(out, c)
	}
	return out
}

// derivedLabels differ between environments by construction: the
// environment's own label, and the version label render copies from the
// image tag (the image itself is compared, once, where it is set).
var derivedLabels = []string{"capsule.dev/environment", "app.kubernetes.io/version"}

// dropTemplateLabel removes the derived labels from a workload's pod
// template.
func dropTemplateLabel(m map[string]any) {
	spec, _ := m["spec"].(map[string]any)
	tpl, _ := spec["template"].(map[string]any)
	md, _ := tpl["metadata"].(map[string]any)
	if l, ok := md["labels"].(map[string]any); ok {
		for _, k := range derivedLabels {
			delete(l, k)
		}
	}
}

// walk returns v with f applied to every string value (map keys are
// left as they are: they are field names and label keys).
func walk(v any, f func(string) string) any {
	switch x := v.(type) {
	case string:
		return f(x)
	case map[string]any:
		for k, e := range x {
			x[k] = walk(e, f)
		}
		return x
	case []any:
		for i, e := range x {
			x[i] = walk(e, f)
		}
		return x
	}
	return v
}

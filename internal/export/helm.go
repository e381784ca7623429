package export

import (
	"fmt"
	"strings"

	"github.com/usecapsule/capsule/internal/render"
	"sigs.k8s.io/yaml"
)

// helm writes one chart per project, helm/charts/<project>, whose templates
// are the reference environment's objects with the per-environment parts
// taken from values: the namespace (the release's), the environment and
// instance labels, each service's image, version label, replicas,
// container resources, env (the ConfigMap) and configuration checksum; and
// helm/values-<env>.yaml for every environment (values.yaml is the
// reference environment's). These are all the parts in which Capsule's
// environments differ today; the tests render every environment's values
// with Helm's engine and compare with Capsule's rendering.
func (p *prepared) helm(files map[string][]byte) error {
	chart := "helm/charts/" + p.in.Project.Slug + "/"
	files[chart+"Chart.yaml"] = []byte(fmt.Sprintf("apiVersion: v2\nname: %s\ndescription: %s, exported from Capsule\ntype: application\nversion: 0.1.0\n", p.in.Project.Slug, yamlString(p.in.Project.Name)))
	for i, sv := range p.svcs {
		ref, err := objectMaps(p.objs[p.ref][i])
		if err != nil {
			return err
		}
		t := &templater{svc: sv.Name, refEnv: p.ref}
		for _, o := range ref {
			t.object(o)
		}
		var docs []string
		for _, o := range ref {
			y, err := yaml.Marshal(o)
			if err != nil {
				return err
			}
			docs = append(docs, string(y))
		}
		files[chart+"templates/"+sv.Name+".yaml"] = []byte(t.expand(strings.Join(docs, "---\n")))
	}
	for k, e := range p.envs {
		vals := map[string]any{"environment": e.Name}
		svcs := map[string]any{}
		for i, sv := range p.svcs {
			objs, err := objectMaps(p.objs[e.Name][i])
			if err != nil {
				return err
			}
			svcs[sv.Name] = serviceValues(objs)
		}
		vals["services"] = svcs
		y, err := yaml.Marshal(vals)
		if err != nil {
			return err
		}
		files["helm/values-"+e.Name+".yaml"] = y
		if k == 0 {
			files[chart+"values.yaml"] = y
		}
	}
	return nil
}

func yamlString(s string) string {
	b, _ := yaml.Marshal(s)
	return strings.TrimSpace(string(b))
}

// templater replaces value-backed leaves of objects with markers, then the
// markers of the YAML text with template actions.
type templater struct {
	svc, refEnv string
	actions     []string
}

func (t *templater) mark(action string) string {
	t.actions = append(t.actions, action)
	return fmt.Sprintf("HELMVALUE%dX", len(t.actions)-1)
}

func (t *templater) expand(text string) string {
	for i := len(t.actions) - 1; i >= 0; i-- {
		text = strings.ReplaceAll(text, fmt.Sprintf("HELMVALUE%dX", i), t.actions[i])
	}
	return text
}

func (t *templater) v(field string) string {
	return fmt.Sprintf("(index .Values.services %q).%s", t.svc, field)
}

func (t *templater) object(o map[string]any) {
	md := o["metadata"].(map[string]any)
	md["namespace"] = t.mark("{{ .Release.Namespace }}")
	t.labels(md)
	if o["kind"] == "ConfigMap" {
		o["data"] = t.mark("{{ " + t.v("env") + " | toJson }}")
	}
	t.walk(o)
}

// labels templates the environment, instance and version labels.
func (t *templater) labels(m map[string]any) {
	l, ok := m["labels"].(map[string]any)
	if !ok {
		return
	}
	if _, ok := l[render.LabelEnv]; ok {
		l[render.LabelEnv] = t.mark("{{ .Values.environment | quote }}")
	}
	if _, ok := l["app.kubernetes.io/instance"]; ok {
		l["app.kubernetes.io/instance"] = t.mark("{{ " + t.v("instance") + " | quote }}")
	}
	if _, ok := l["app.kubernetes.io/version"]; ok {
		l["app.kubernetes.io/version"] = t.mark("{{ " + t.v("version") + " | quote }}")
	}
}

// walk templates labels and selectors at any depth, replicas of
// workloads, and containers' image and resources, and the config checksum.
func (t *templater) walk(v any) {
	switch x := v.(type) {
	case map[string]any:
		for k, c := range x {
			switch k {
			case "labels", "matchLabels", "selector":
				if m, ok := c.(map[string]any); ok {
					t.labels(map[string]any{"labels": m})
				}
			case "annotations":
				if m, ok := c.(map[string]any); ok {
					if _, ok := m[render.AnnotationConfigChecksum]; ok {
						m[render.AnnotationConfigChecksum] = t.mark("{{ " + t.v("configChecksum") + " | quote }}")
					}
				}
			case "containers":
				if l, ok := c.([]any); ok && len(l) > 0 {
					if ct, ok := l[0].(map[string]any); ok {
						ct["image"] = t.mark("{{ " + t.v("image") + " | quote }}")
						if _, ok := ct["resources"]; ok {
							ct["resources"] = t.mark("{{ " + t.v("resources") + " | toJson }}")
						}
					}
				}
			case "replicas":
				x[k] = t.mark("{{ " + t.v("replicas") + " }}")
				continue
			}
			t.walk(c)
		}
	case []any:
		for _, c := range x {
			t.walk(c)
		}
	}
}

// serviceValues are the values of one service in one environment, read
// from its rendered objects.
func serviceValues(objs []map[string]any) map[string]any {
	v := map[string]any{}
	var find func(x any)
	find = func(x any) {
		switch m := x.(type) {
		case map[string]any:
			if l, ok := m["labels"].(map[string]any); ok {
				if s, ok := l["app.kubernetes.io/instance"]; ok {
					v["instance"] = s
				}
				if s, ok := l["app.kubernetes.io/version"]; ok {
					v["version"] = s
				}
			}
			if a, ok := m["annotations"].(map[string]any); ok {
				if s, ok := a[render.AnnotationConfigChecksum]; ok {
					v["configChecksum"] = s
				}
			}
			if r, ok := m["replicas"]; ok {
				v["replicas"] = r
			}
			if l, ok := m["containers"].([]any); ok && len(l) > 0 {
				ct := l[0].(map[string]any)
				v["image"] = ct["image"]
				if r, ok := ct["resources"]; ok {
					v["resources"] = r
				}
			}
			for _, c := range m {
				find(c)
			}
		case []any:
			for _, c := range m {
				find(c)
			}
		}
	}
	for _, o := range objs {
		if o["kind"] == "ConfigMap" {
			v["env"] = o["data"]
		}
		find(o)
	}
	return v
}

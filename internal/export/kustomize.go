package export

import (
	"encoding/json"
	"fmt"
	"path"
	"strings"

	"github.com/usecapsule/capsule/internal/render"
	"sigs.k8s.io/yaml"
)

// kustomize writes kubernetes/base (the reference environment's objects,
// one file per service, without namespace) and kubernetes/overlays/<env>
// (namespace, the Namespace object, and per object only what differs from
// the base: a JSON 6902 patch, an added object, or a deleted one).
func (p *prepared) kustomize(files map[string][]byte) error {
	base := make([][]map[string]any, len(p.svcs))
	var baseRes []string
	for i, sv := range p.svcs {
		objs := p.objs[p.ref][i]
		b, err := render.Marshal(objs, "yaml")
		if err != nil {
			return err
		}
		name := sv.Name + ".yaml"
		files["kubernetes/base/"+name] = b
		baseRes = append(baseRes, name)
		if base[i], err = objectMaps(objs); err != nil {
			return err
		}
	}
	k, err := kustomization(map[string]any{"resources": baseRes})
	if err != nil {
		return err
	}
	files["kubernetes/base/kustomization.yaml"] = k
	for _, e := range p.envs {
		dir := "kubernetes/overlays/" + e.Name + "/"
		ns, err := render.Marshal([]render.Object{render.Namespace(e.Namespace)}, "yaml")
		if err != nil {
			return err
		}
		files[dir+"namespace.yaml"] = ns
		res := []any{"../../base", "namespace.yaml"}
		var patches []any
		for i := range p.svcs {
			objs, err := objectMaps(p.objs[e.Name][i])
			if err != nil {
				return err
			}
			added, err := p.overlayService(files, dir, base[i], objs, &patches)
			if err != nil {
				return err
			}
			res = append(res, added...)
		}
		doc := map[string]any{"namespace": e.Namespace, "resources": res}
		if len(patches) > 0 {
			doc["patches"] = patches
		}
		if files[dir+"kustomization.yaml"], err = kustomization(doc); err != nil {
			return err
		}
	}
	return nil
}

// overlayService writes the patches of one service's objects in one
// environment and returns the files of objects the base lacks.
func (p *prepared) overlayService(files map[string][]byte, dir string, base, env []map[string]any, patches *[]any) ([]any, error) {
	var added []any
	baseByKey := map[string]map[string]any{}
	for _, o := range base {
		baseByKey[objectKey(o)] = o
	}
	seen := map[string]bool{}
	for _, o := range env {
		key := objectKey(o)
		seen[key] = true
		b, ok := baseByKey[key]
		if !ok {
			name := "added/" + fileKey(o) + ".yaml"
			y, err := yaml.Marshal(o)
			if err != nil {
				return nil, err
			}
			files[dir+name] = y
			added = append(added, name)
			continue
		}
		ops := jsonPatch(b, o, "")
		if len(ops) == 0 {
			continue
		}
		y, err := yaml.Marshal(ops)
		if err != nil {
			return nil, err
		}
		name := "patches/" + fileKey(o) + ".yaml"
		files[dir+name] = y
		*patches = append(*patches, map[string]any{"path": name, "target": target(o)})
	}
	for _, o := range base {
		if seen[objectKey(o)] {
			continue
		}
		del := map[string]any{"apiVersion": o["apiVersion"], "kind": o["kind"], "metadata": map[string]any{"name": nameOf(o)}, "$patch": "delete"}
		y, err := yaml.Marshal(del)
		if err != nil {
			return nil, err
		}
		*patches = append(*patches, map[string]any{"patch": string(y), "target": target(o)})
	}
	return added, nil
}

func kustomization(doc map[string]any) ([]byte, error) {
	doc["apiVersion"] = "kustomize.config.k8s.io/v1beta1"
	doc["kind"] = "Kustomization"
	return yaml.Marshal(doc)
}

// objectMaps converts objs to the generic values render.Marshal writes.
func objectMaps(objs []render.Object) ([]map[string]any, error) {
	b, err := render.Marshal(objs, "json")
	if err != nil {
		return nil, err
	}
	var list struct {
		Items []map[string]any `json:"items"`
	}
	if err := json.Unmarshal(b, &list); err != nil {
		return nil, err
	}
	return list.Items, nil
}

func nameOf(o map[string]any) string {
	m, _ := o["metadata"].(map[string]any)
	n, _ := m["name"].(string)
	return n
}

func objectKey(o map[string]any) string {
	return fmt.Sprintf("%v/%v/%s", o["apiVersion"], o["kind"], nameOf(o))
}

func fileKey(o map[string]any) string {
	return strings.ToLower(fmt.Sprint(o["kind"])) + "-" + nameOf(o)
}

func target(o map[string]any) map[string]any {
	gv := fmt.Sprint(o["apiVersion"])
	t := map[string]any{"kind": o["kind"], "name": nameOf(o), "version": path.Base(gv)}
	if strings.Contains(gv, "/") {
		t["group"] = path.Dir(gv)
	}
	return t
}

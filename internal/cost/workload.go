package cost

import (
	"fmt"
	"strings"

	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/podspec"
)

// workload is what pricing needs from a pod-running object.
type workload struct {
	podSpec  map[string]any
	specPath string // JSON-ish path of the pod spec, for error messages
	replicas int64
	daemon   bool
	job      bool
	claims   []any // StatefulSet volumeClaimTemplates
}

// podSpecAt locates the pod spec per "group/Kind".
var podSpecAt = podspec.Paths()

func gk(o manifest.Object) string { return o.ID().Group + "/" + o.GetKind() }

// workloadOf returns the workload view of o, or false for kinds that run no
// pods. byName resolves an Argo Rollout's workloadRef to its Deployment.
func workloadOf(o manifest.Object, byName func(kind, ns, name string) *manifest.Object) (*workload, bool, error) {
	path, ok := podSpecAt[gk(o)]
	if !ok {
		return nil, false, nil
	}
	w := &workload{specPath: strings.Join(path, "."), replicas: 1}
	spec, _ := nested(o.Object, path...).(map[string]any)
	if spec == nil && o.GetKind() == "Rollout" {
		spec = rolloutRefSpec(o, byName)
	}
	if spec == nil {
		return nil, false, nil
	}
	w.podSpec = spec
	var err error
	switch gk(o) {
	case "/Pod":
	case "apps/DaemonSet":
		w.daemon = true
	case "batch/Job":
		w.job = true
		w.replicas, err = intField(o.Object, 1, "spec", "parallelism")
	case "batch/CronJob":
		w.job = true
		w.replicas, err = intField(o.Object, 1, "spec", "jobTemplate", "spec", "parallelism")
	default:
		w.replicas, err = intField(o.Object, 1, "spec", "replicas")
		w.claims, _ = nested(o.Object, "spec", "volumeClaimTemplates").([]any)
	}
	return w, true, err
}

func rolloutRefSpec(o manifest.Object, byName func(kind, ns, name string) *manifest.Object) map[string]any {
	ref, _ := nested(o.Object, "spec", "workloadRef").(map[string]any)
	kind, _ := ref["kind"].(string)
	name, _ := ref["name"].(string)
	if kind == "" || name == "" || byName == nil {
		return nil
	}
	if d := byName(kind, o.GetNamespace(), name); d != nil {
		spec, _ := nested(d.Object, "spec", "template", "spec").(map[string]any)
		return spec
	}
	return nil
}

func nested(m map[string]any, path ...string) any {
	var cur any = m
	for _, p := range path {
		mm, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = mm[p]
	}
	return cur
}

// maxReplicas bounds replica counts; larger values are typos.
const maxReplicas = 100_000

// intField reads an integer field between 0 and maxReplicas, def when
// absent.
func intField(m map[string]any, def int64, path ...string) (int64, error) {
	v := nested(m, path...)
	switch x := v.(type) {
	case nil:
		return def, nil
	case int64:
		if x >= 0 && x <= maxReplicas {
			return x, nil
		}
	case float64:
		if x >= 0 && x <= maxReplicas && x == float64(int64(x)) {
			return int64(x), nil
		}
	}
	return 0, fmt.Errorf("%s: %v is not an integer from 0 to %d", strings.Join(path, "."), v, maxReplicas)
}

package diff

import (
	"math"

	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/quantity"
)

// serverSetMetadata are metadata fields the API server or controllers own.
var serverSetMetadata = []string{
	"managedFields", "uid", "resourceVersion", "generation", "creationTimestamp",
	"selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
}

// serverSetAnnotations are annotations written by kubectl, controllers or
// deployment tools on the live object, never by the author of a manifest
// (`helm template` output has no release annotations; Argo CD adds its
// tracking id; Argo Rollouts marks the Services it manages).
var serverSetAnnotations = []string{
	"kubectl.kubernetes.io/last-applied-configuration",
	"deployment.kubernetes.io/revision",
	"deprecated.daemonset.template.generation",
	"argocd.argoproj.io/tracking-id",
	"meta.helm.sh/release-name",
	"meta.helm.sh/release-namespace",
	"argo-rollouts.argoproj.io/managed-by-rollouts",
	"rollout.argoproj.io/revision",
}

// rolloutsHashLabel is the label Argo Rollouts adds to a live Service's
// selector and a DestinationRule's subsets to pin them to one ReplicaSet.
const rolloutsHashLabel = "rollouts-pod-template-hash"

// normalize returns a deep copy of obj with what is not intent removed and
// Secret values redacted, and the defaults of the fields it pruned.
func normalize(obj map[string]any, withNS bool, rules []IgnoreRule) (map[string]any, *defaulted) {
	m := copyObject(obj)
	group, kind := groupKind(m)
	if md, ok := m["metadata"].(map[string]any); ok {
		normalizeMetadata(md, withNS && !manifest.ClusterScoped(group, kind))
	}
	if group == "" && kind == "Secret" {
		redactSecret(m)
	}
	applyDefaults(m, group, kind)
	for _, r := range rules {
		for _, p := range r.JSONPointers {
			removePointer(m, p)
		}
	}
	return m, &defaulted{gk: group + "/" + kind, obj: m}
}

// copyObject deep-copies an object without what normalization drops
// anyway: status and server-set metadata (managedFields is often the
// largest part of a live object).
func copyObject(obj map[string]any) map[string]any {
	m := make(map[string]any, len(obj))
	for k, v := range obj {
		switch k {
		case "status":
		case "metadata":
			md, ok := v.(map[string]any)
			if !ok {
				m[k] = deepCopy(v, k)
				continue
			}
			out := make(map[string]any, len(md))
			for mk, mv := range md {
				if !serverSetField[mk] {
					out[mk] = deepCopy(mv, mk)
				}
			}
			m[k] = out
		default:
			m[k] = deepCopy(v, k)
		}
	}
	return m
}

var serverSetField = func() map[string]bool {
	out := map[string]bool{}
	for _, f := range serverSetMetadata {
		out[f] = true
	}
	return out
}()

func normalizeMetadata(md map[string]any, withNS bool) {
	if !withNS {
		delete(md, "namespace")
	}
	for _, f := range []string{"annotations", "labels"} {
		mm, ok := md[f].(map[string]any)
		if f == "annotations" && ok {
			for _, a := range serverSetAnnotations {
				delete(mm, a)
			}
		}
		if md[f] == nil || (ok && len(mm) == 0) {
			delete(md, f)
		}
	}
}

func groupKind(m map[string]any) (string, string) {
	av, _ := m["apiVersion"].(string)
	kind, _ := m["kind"].(string)
	group := ""
	for i := 0; i < len(av); i++ {
		if av[i] == '/' {
			group = av[:i]
			break
		}
	}
	return manifest.CanonicalGroup(group, kind), kind
}

// deepCopy copies a JSON-like value, turning integral floats and Go ints into
// int64 so that numbers compare by value, and rewriting quantities in
// resource maps (requests, limits, ...) to their canonical form ("1000m" →
// "1", "1024Mi" → "1Gi") so equal values also render equally. key is the
// map key v was found under.
func deepCopy(v any, key string) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		quantities := quantityMaps[key]
		for k, e := range x {
			if quantities {
				if q, err := quantity.Parse(e); err == nil {
					out[k] = q.String()
					continue
				}
			}
			if k == "creationTimestamp" && e == nil {
				continue // templates' metadata as the server prints it
			}
			c := deepCopy(e, k)
			if cm, ok := c.(map[string]any); ok && k == "metadata" && len(cm) == 0 {
				continue // nothing left of a template's metadata
			}
			if droppedWhenEmpty(k, c) {
				continue
			}
			out[k] = c
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e, key)
		}
		return out
	case float64:
		if x == math.Trunc(x) && math.Abs(x) < 1<<53 {
			return int64(x)
		}
		return x
	case int:
		return int64(x)
	case int32:
		return int64(x)
	}
	return v
}

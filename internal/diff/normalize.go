package diff

import (
	"math"
)

// serverSetMetadata are metadata fields the API server or controllers own.
var serverSetMetadata = []string{
	"managedFields", "uid", "resourceVersion", "generation", "creationTimestamp",
	"selfLink", "deletionTimestamp", "deletionGracePeriodSeconds",
}

// serverSetAnnotations are annotations written by kubectl or controllers,
// never by the author of a manifest.
var serverSetAnnotations = []string{
	"kubectl.kubernetes.io/last-applied-configuration",
	"deployment.kubernetes.io/revision",
}

// normalize returns a deep copy of obj with what is not intent removed and
// Secret values redacted, and the defaults of the fields it pruned.
func normalize(obj map[string]any, withNS bool, rules []IgnoreRule) (map[string]any, *defaulted) {
	m, _ := deepCopy(obj, "").(map[string]any)
	delete(m, "status")
	if md, ok := m["metadata"].(map[string]any); ok {
		normalizeMetadata(md, withNS)
	}
	group, kind := groupKind(m)
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

func normalizeMetadata(md map[string]any, withNS bool) {
	for _, f := range serverSetMetadata {
		delete(md, f)
	}
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
	return group, kind
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
				if q, err := toQuantity(e); err == nil {
					out[k] = q.String()
					continue
				}
			}
			out[k] = deepCopy(e, k)
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

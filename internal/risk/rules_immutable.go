package risk

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/quantity"
)

// Changes to fields the API server does not let an update touch: the apply
// fails, and the object must be deleted and recreated (for workloads, an
// outage unless done by hand with care).

func init() {
	register(changeRule{Meta{"immutable-field-changed", "immutable-field", 8}, compareImmutable})
}

// immutableFields lists, per kind, the JSON pointers that cannot change.
var immutableFields = map[string][]string{
	"Deployment":            {"/spec/selector"},
	"ReplicaSet":            {"/spec/selector"},
	"DaemonSet":             {"/spec/selector"},
	"StatefulSet":           {"/spec/selector", "/spec/volumeClaimTemplates", "/spec/serviceName", "/spec/podManagementPolicy"},
	"Job":                   {"/spec/selector", "/spec/template", "/spec/completionMode"},
	"Service":               {"/spec/clusterIP"},
	"PersistentVolumeClaim": {"/spec/storageClassName", "/spec/accessModes", "/spec/volumeName", "/spec/volumeMode"},
	"RoleBinding":           {"/roleRef"},
	"ClusterRoleBinding":    {"/roleRef"},
	"StorageClass":          {"/provisioner", "/parameters", "/reclaimPolicy", "/volumeBindingMode"},
}

func compareImmutable(m Meta, c *Change) []Finding {
	var out []Finding
	for _, n := range c.Proposed.Objects {
		o := c.Current.Get(Key(n))
		if o == nil {
			continue
		}
		for _, path := range immutableFields[n.GetKind()] {
			before, hadBefore := pointer(o.Object, path)
			after, hasAfter := pointer(n.Object, path)
			if !hadBefore || !hasAfter || manifest.ValuesEqual(before, after) || sameSetFields(before, after, "") {
				continue // unset on one side: defaulted by the server, not a change of intent
			}
			out = append(out, m.finding(Key(n), path, "%s cannot be changed on an existing %s: the apply fails and the object must be deleted and recreated", path, n.GetKind()))
		}
		out = append(out, immutableData(m, o, n)...)
	}
	return out
}

// immutableData flags data changes of a ConfigMap or Secret marked
// immutable: true. Values are never shown.
func immutableData(m Meta, o, n *unstructured.Unstructured) []Finding {
	if (n.GetKind() != "ConfigMap" && n.GetKind() != "Secret") || !isTrue(boolAt(o.Object, "immutable")) {
		return nil
	}
	var out []Finding
	for _, field := range []string{"data", "binaryData", "stringData"} {
		if !manifest.ValuesEqual(o.Object[field], n.Object[field]) {
			out = append(out, m.finding(Key(n), "/"+field, "%s is immutable: changing its %s requires deleting and recreating it", Key(n), field))
		}
	}
	return out
}

// pointer resolves a JSON pointer of map keys (no array indexes needed).
func pointer(obj map[string]any, path string) (any, bool) {
	var cur any = obj
	for _, k := range strings.Split(strings.TrimPrefix(path, "/"), "/") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil, false
		}
		if cur, ok = m[k]; !ok {
			return nil, false
		}
	}
	if s, ok := cur.(string); ok && s == "" {
		return nil, false
	}
	return stripStatus(cur), true
}

// stripStatus drops status and creation timestamps inside embedded objects
// (volumeClaimTemplates as read back from a cluster carry them).
func stripStatus(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, x := range t {
			if k == "status" || k == "creationTimestamp" {
				continue
			}
			out[k] = stripStatus(x)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, x := range t {
			out[i] = stripStatus(x)
		}
		return out
	}
	return v
}

// sameSetFields reports whether two values of an immutable field agree on
// every field both sides set. A field set on one side only is one the API
// server defaulted (a live object read back carries volumeMode, apiVersion
// and kind in volumeClaimTemplates, and every pod default in a Job's
// template) or added (the Job controller's labels), so it is not a change
// of intent; only label selectors must match key for key. Quantities
// compare by value ("1Gi" = "1024Mi"). The cost: dropping a field that has
// no default from an immutable field goes unreported.
func sameSetFields(a, b any, key string) bool {
	switch x := a.(type) {
	case map[string]any:
		y, ok := b.(map[string]any)
		if !ok || (key == "matchLabels" && len(x) != len(y)) {
			return false
		}
		for k, av := range x {
			if bv, has := y[k]; has && !sameSetFields(av, bv, k) {
				return false
			}
		}
		return true
	case []any:
		y, ok := b.([]any)
		if !ok || len(x) != len(y) {
			return false
		}
		for i := range x {
			if !sameSetFields(x[i], y[i], key) {
				return false
			}
		}
		return true
	}
	return manifest.ValuesEqual(a, b) || quantity.Equal(a, b)
}

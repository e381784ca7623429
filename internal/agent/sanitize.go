package agent

import (
	"crypto/sha256"
	"encoding/hex"
	"sort"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/tools/cache"
)

// Privacy chooses what leaves the cluster beyond metadata and specs.
type Privacy struct {
	// ConfigMapValues sends ConfigMap values; otherwise each value is
	// replaced by "sha256:" and its hash, enough to see that it changed.
	ConfigMapValues bool
	// HelmPayload sends Helm's encoded release payload (the rendered
	// manifests and the user-supplied values) with a release's metadata.
	HelmPayload bool
}

// lastApplied is kubectl's copy of the whole applied object: for a Secret
// applied with kubectl it holds the values, and for anything else it only
// doubles the object's size.
const lastApplied = "kubectl.kubernetes.io/last-applied-configuration"

// transform returns the informer transform for kind: it runs before an
// object enters the informer's store, so what the agent never keeps (Secret
// values, ConfigMap values unless opted in) is never held in its memory
// beyond the decoding of one list or watch event.
func (p Privacy) transform(kind string) cache.TransformFunc {
	return func(obj any) (any, error) {
		u, ok := obj.(*unstructured.Unstructured)
		if !ok {
			return obj, nil
		}
		p.sanitize(kind, u)
		return u, nil
	}
}

// sanitize strips u in place.
func (p Privacy) sanitize(kind string, u *unstructured.Unstructured) {
	unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
	if ann := u.GetAnnotations(); ann != nil {
		if _, ok := ann[lastApplied]; ok {
			delete(ann, lastApplied)
			u.SetAnnotations(ann)
		}
	}
	switch kind {
	case "Secret":
		p.sanitizeSecret(u)
	case "ConfigMap":
		if !p.ConfigMapValues {
			hashValues(u, "data")
			hashValues(u, "binaryData")
		}
	case "Node":
		// The image list is the largest part of a node and no engine reads it.
		unstructured.RemoveNestedField(u.Object, "status", "images")
	case "CustomResourceDefinition":
		trimCRD(u)
	}
}

// sanitizeSecret keeps a Secret's metadata, type and the names of its keys;
// the values are dropped, and a Helm release's metadata is decoded first.
func (p Privacy) sanitizeSecret(u *unstructured.Unstructured) {
	data, _, _ := unstructured.NestedMap(u.Object, "data")
	keys := make([]any, 0, len(data))
	names := make([]string, 0, len(data))
	for k := range data {
		names = append(names, k)
	}
	sort.Strings(names)
	for _, k := range names {
		keys = append(keys, k)
	}
	if rel := helmRelease(u, p.HelmPayload); rel != nil {
		u.Object[HelmReleaseField] = rel
	}
	delete(u.Object, "data")
	delete(u.Object, "stringData")
	u.Object["keys"] = keys
}

// hashValues replaces every value of the string map at field by its hash.
func hashValues(u *unstructured.Unstructured, field string) {
	m, ok := u.Object[field].(map[string]any)
	if !ok {
		return
	}
	for k, v := range m {
		s, _ := v.(string)
		sum := sha256.Sum256([]byte(s))
		m[k] = "sha256:" + hex.EncodeToString(sum[:])
	}
}

// trimCRD keeps a CustomResourceDefinition's names: which custom kinds the
// cluster has, not their schemas (often hundreds of kilobytes).
func trimCRD(u *unstructured.Unstructured) {
	group, _, _ := unstructured.NestedString(u.Object, "spec", "group")
	kind, _, _ := unstructured.NestedString(u.Object, "spec", "names", "kind")
	plural, _, _ := unstructured.NestedString(u.Object, "spec", "names", "plural")
	scope, _, _ := unstructured.NestedString(u.Object, "spec", "scope")
	var versions []any
	vs, _, _ := unstructured.NestedSlice(u.Object, "spec", "versions")
	for _, v := range vs {
		if m, ok := v.(map[string]any); ok {
			versions = append(versions, map[string]any{"name": m["name"], "served": m["served"], "storage": m["storage"]})
		}
	}
	u.Object["spec"] = map[string]any{
		"group": group, "scope": scope, "versions": versions,
		"names": map[string]any{"kind": kind, "plural": plural},
	}
	delete(u.Object, "status")
}

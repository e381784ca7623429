package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"k8s.io/apimachinery/pkg/runtime"
)

// Marshal writes objs as a multi-document YAML stream ("yaml") or as a
// kubectl-style v1 List ("json"). Keys are sorted, so equal objects always
// give equal bytes; empty creationTimestamp and status fields are left out.
func Marshal(objs []Object, format string) ([]byte, error) {
	items := make([]map[string]any, len(objs))
	for i, o := range objs {
		v, err := clean(o)
		if err != nil {
			return nil, fmt.Errorf("render: %s %s: %w", o.GetObjectKind().GroupVersionKind().Kind, o.GetName(), err)
		}
		items[i] = v
	}
	switch format {
	case "json":
		b, err := json.MarshalIndent(map[string]any{"apiVersion": "v1", "kind": "List", "items": items}, "", "  ")
		return append(b, '\n'), err
	case "yaml", "":
		var buf bytes.Buffer
		for i, it := range items {
			if i > 0 {
				buf.WriteString("---\n")
			}
			writeYAML(&buf, it)
		}
		return buf.Bytes(), nil
	}
	return nil, fmt.Errorf("render: unknown format %q (want yaml or json)", format)
}

// clean converts o to generic JSON values without the fields the API
// server fills in.
func clean(o Object) (map[string]any, error) {
	// The converter follows the json tags and marshalers of the API types,
	// like encoding/json, without printing and parsing text.
	v, err := runtime.DefaultUnstructuredConverter.ToUnstructured(o)
	if err != nil {
		return nil, err
	}
	// Status belongs to the cluster; a manifest never carries it.
	delete(v, "status")
	prune(v)
	return v, nil
}

// prune removes null creationTimestamp and empty status and resources maps,
// recursively.
func prune(v any) {
	switch t := v.(type) {
	case map[string]any:
		for k, x := range t {
			if x == nil && k == "creationTimestamp" {
				delete(t, k)
				continue
			}
			prune(x)
			if m, ok := x.(map[string]any); ok && len(m) == 0 && (k == "status" || k == "resources" || k == "metadata" || k == "strategy") {
				delete(t, k)
			}
		}
	case []any:
		for _, x := range t {
			prune(x)
		}
	}
}

package servicespec

import (
	"encoding/json"
	"reflect"
	"sort"
	"strings"
	"testing"
)

// TestSchemaMatchesSpec keeps the JSON Schema and the Go types in step:
// every field of Spec (and of its nested structs) is in the schema, and
// the schema names no field the types lack.
func TestSchemaMatchesSpec(t *testing.T) {
	var schema map[string]any
	if err := json.Unmarshal(SchemaJSON, &schema); err != nil {
		t.Fatal(err)
	}
	defs := schema["$defs"].(map[string]any)
	root := schema["properties"].(map[string]any)
	compare(t, "capsule.yaml", reflect.TypeOf(Spec{}), root, defs)
}

func compare(t *testing.T, where string, typ reflect.Type, props map[string]any, defs map[string]any) {
	t.Helper()
	fields := map[string]reflect.Type{}
	for i := 0; i < typ.NumField(); i++ {
		f := typ.Field(i)
		name, _, _ := strings.Cut(f.Tag.Get("yaml"), ",")
		fields[name] = f.Type
	}
	var missing, extra []string
	for name := range fields {
		if _, ok := props[name]; !ok {
			missing = append(missing, name)
		}
	}
	for name := range props {
		if _, ok := fields[name]; !ok {
			extra = append(extra, name)
		}
	}
	sort.Strings(missing)
	sort.Strings(extra)
	if len(missing) > 0 || len(extra) > 0 {
		t.Errorf("%s: fields missing from the schema %v, schema fields missing from the types %v", where, missing, extra)
	}
	for name, ft := range fields {
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		if ft.Kind() != reflect.Struct || name == "environments" {
			continue
		}
		sub := resolveRef(props[name], defs)
		if p, ok := sub["properties"].(map[string]any); ok {
			compare(t, where+"."+name, ft, p, defs)
		}
	}
}

// resolveRef follows a local $ref ("#/$defs/overlay/properties/build").
func resolveRef(v any, defs map[string]any) map[string]any {
	m, _ := v.(map[string]any)
	ref, ok := m["$ref"].(string)
	if !ok {
		return m
	}
	var cur any = map[string]any{"$defs": defs}
	for _, part := range strings.Split(strings.TrimPrefix(ref, "#/"), "/") {
		cur = cur.(map[string]any)[part]
	}
	return resolveRef(cur, defs)
}

package cli

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"reflect"
	"slices"
	"sort"
	"strings"

	"github.com/spf13/pflag"
	"sigs.k8s.io/yaml"
)

// serverAssigned are the fields the server sets on create and ignores in a
// request body; a file that sets them would be silently overridden, so it
// is refused instead.
var serverAssigned = []string{"id", "version", "revision", "status", "createdAt", "updatedAt"}

// readBodyFile reads the -f file of `create` strictly: every field must be
// one of the resource's file form (the API object without its
// server-assigned fields) with the right type, so nothing in the file is
// silently dropped. form is a pointer to the domain type the API decodes.
func readBodyFile(path string, form any) (map[string]any, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, err
	}
	js, err := yaml.YAMLToJSON(data)
	if err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	var body map[string]any
	if err := json.Unmarshal(js, &body); err != nil {
		return nil, fmt.Errorf("%s: want a YAML or JSON object: %w", path, err)
	}
	if body == nil {
		body = map[string]any{}
	}
	for _, k := range serverAssigned {
		if _, ok := body[k]; ok {
			return nil, fmt.Errorf("%s: field %q is assigned by the server and cannot be set", path, k)
		}
	}
	if err := checkFields(body, reflect.TypeOf(form).Elem(), ""); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	dec := json.NewDecoder(bytes.NewReader(js))
	dec.DisallowUnknownFields()
	if err := dec.Decode(form); err != nil {
		return nil, fmt.Errorf("%s: %w", path, err)
	}
	return body, nil
}

// checkFields reports the first field of v (sorted, by its dotted path)
// that t's JSON form does not have, listing the ones it does.
func checkFields(v any, t reflect.Type, prefix string) error {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch t.Kind() {
	case reflect.Struct:
		m, ok := v.(map[string]any)
		if !ok {
			return nil // a type mismatch, which the strict decode reports
		}
		fields := jsonFields(t)
		keys := make([]string, 0, len(m))
		for k := range m {
			keys = append(keys, k)
		}
		sort.Strings(keys)
		for _, k := range keys {
			ft, ok := fields[k]
			if !ok {
				known := make([]string, 0, len(fields))
				for f := range fields {
					if prefix != "" || !slices.Contains(serverAssigned, f) {
						known = append(known, f)
					}
				}
				sort.Strings(known)
				return fmt.Errorf("unknown field %q (known here: %s)", prefix+k, strings.Join(known, ", "))
			}
			if err := checkFields(m[k], ft, prefix+k+"."); err != nil {
				return err
			}
		}
	case reflect.Map:
		if m, ok := v.(map[string]any); ok {
			for k, e := range m {
				if err := checkFields(e, t.Elem(), prefix+k+"."); err != nil {
					return err
				}
			}
		}
	case reflect.Slice:
		if l, ok := v.([]any); ok {
			for i, e := range l {
				if err := checkFields(e, t.Elem(), fmt.Sprintf("%s%d.", prefix, i)); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// jsonFields maps a struct's JSON field names to their types.
func jsonFields(t reflect.Type) map[string]reflect.Type {
	out := map[string]reflect.Type{}
	for i := range t.NumField() {
		f := t.Field(i)
		if !f.IsExported() {
			continue
		}
		name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
		if name == "-" {
			continue
		}
		if name == "" {
			name = f.Name
		}
		out[name] = f.Type
	}
	return out
}

// createBody is the request body of `create`: the -f file's fields, with
// the flags given on the command line laid over them.
type createBody struct {
	m     map[string]any
	file  bool
	flags *pflag.FlagSet
}

// set puts v at the dotted path when the flag was given, or when there is
// no file (a flag's default is then the value). A flag left at its default
// never overrides the file.
func (b createBody) set(flag, path string, v any) {
	if !b.file || b.flags.Changed(flag) {
		setPath(b.m, path, v)
	}
}

// setDefault puts v at the dotted path when nothing is there yet.
func (b createBody) setDefault(path string, v any) {
	if b.get(path) == nil {
		setPath(b.m, path, v)
	}
}

// get returns the value at the dotted path, nil when absent.
func (b createBody) get(path string) any {
	var cur any = b.m
	for _, p := range strings.Split(path, ".") {
		m, ok := cur.(map[string]any)
		if !ok {
			return nil
		}
		cur = m[p]
	}
	return cur
}

// str returns the string at the dotted path, "" when absent or not a string.
func (b createBody) str(path string) string {
	s, _ := b.get(path).(string)
	return s
}

func setPath(m map[string]any, path string, v any) {
	parts := strings.Split(path, ".")
	for _, p := range parts[:len(parts)-1] {
		next, ok := m[p].(map[string]any)
		if !ok {
			next = map[string]any{}
			m[p] = next
		}
		m = next
	}
	m[parts[len(parts)-1]] = v
}

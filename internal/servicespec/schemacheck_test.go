package servicespec

import (
	"bytes"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
	"github.com/santhosh-tekuri/jsonschema/v6/kind"
)

// referenceSchema compiles the embedded schema with a complete JSON Schema
// validator, which the binary does not link (it compiles every draft's
// metaschema at start); the tests hold the built-in validator to it.
func referenceSchema(t testing.TB) *jsonschema.Schema {
	t.Helper()
	doc, err := jsonschema.UnmarshalJSON(bytes.NewReader(SchemaJSON))
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	if err := c.AddResource("capsule.schema.json", doc); err != nil {
		t.Fatal(err)
	}
	s, err := c.Compile("capsule.schema.json")
	if err != nil {
		t.Fatal(err)
	}
	return s
}

// referenceLeaves are the reference validator's failing leaves, worded as
// checkSchema words them (path, or key for a mapping key, and message).
func referenceLeaves(e *jsonschema.ValidationError, key string, out []string) []string {
	if pn, ok := e.ErrorKind.(*kind.PropertyNames); ok {
		key = pn.Property
	}
	if len(e.Causes) > 0 {
		for _, c := range e.Causes {
			out = referenceLeaves(c, key, out)
		}
		return out
	}
	where := strings.Join(e.InstanceLocation, ".")
	if key != "" {
		where = "key " + key
	}
	msg := e.ErrorKind.LocalizedString(printer)
	if k, ok := e.ErrorKind.(*kind.AdditionalProperties); ok {
		msg = "unknown " + strings.Join(slices.Sorted(slices.Values(k.Properties)), ",") // map order; each is its own problem
	}
	return append(out, where+": "+msg)
}

func builtinLeaves(vs []violation) []string {
	var out []string
	for _, v := range vs {
		where := strings.Join(v.path, ".")
		if v.key != "" {
			where = "key " + v.key
		}
		msg := v.msg
		if len(v.unknown) > 0 {
			msg = "unknown " + strings.Join(slices.Sorted(slices.Values(v.unknown)), ",")
		}
		out = append(out, where+": "+msg)
	}
	return out
}

// TestSchemaCheckMatchesReference: on every test file and fuzz seed the
// built-in validator finds the same failures, worded the same, as a
// complete JSON Schema validator.
func TestSchemaCheckMatchesReference(t *testing.T) {
	ref := referenceSchema(t)
	own, err := compiledSchema()
	if err != nil {
		t.Fatal(err)
	}
	files, _ := filepath.Glob("testdata/*/*.yaml")
	more, _ := filepath.Glob("testdata/*.yaml")
	files = append(files, more...)
	inputs := map[string][]byte{
		"types":  []byte("name: 5\ntype: [web]\nport: 1.5\nenv: {A: 1}\nsecrets: [a, a]\nscaling: {minReplicas: -1, maxReplicas: x}\n"),
		"nested": []byte("name: a\ntype: web\nhealth: {path: 3}\nresources: {cpu: {request: '1', bogus: 2}}\nenvironments: {Bad: {port: 0}, ok: {nope: 1}}\n"),
	}
	for _, p := range files {
		b, err := os.ReadFile(p)
		if err != nil {
			t.Fatal(err)
		}
		inputs[p] = b
	}
	compared := 0
	for name, data := range inputs {
		if compareWithReference(t, ref, own, name, data) {
			compared++
		}
	}
	if compared < 10 {
		t.Fatalf("compared only %d inputs", compared)
	}
}

// compareWithReference validates one YAML document with both validators;
// it reports false when the document does not parse.
func compareWithReference(t *testing.T, ref *jsonschema.Schema, own *compiled, name string, data []byte) bool {
	t.Helper()
	root, err := parseYAML(name, data)
	if err != nil {
		return false
	}
	budget := maxNodes
	v, err := toValue(root, &budget)
	if err != nil {
		return false
	}
	var want []string
	if err := ref.Validate(v); err != nil {
		ve, ok := err.(*jsonschema.ValidationError)
		if !ok {
			t.Fatalf("%s: reference validator: %v", name, err)
		}
		want = referenceLeaves(ve, "", nil)
	}
	got := builtinLeaves(own.validate(v))
	slices.Sort(want)
	slices.Sort(got)
	if !slices.Equal(got, want) {
		t.Errorf("%s:\n built-in  %q\n reference %q", name, got, want)
	}
	return true
}

// FuzzSchemaCheckMatchesReference: on any YAML the built-in validator and
// a complete JSON Schema validator find the same failures.
func FuzzSchemaCheckMatchesReference(f *testing.F) {
	files, _ := filepath.Glob("testdata/*/*.yaml")
	for _, p := range files {
		b, _ := os.ReadFile(p)
		f.Add(b)
	}
	f.Add([]byte("name: 5\ntype: [web]\nport: 1.5\nsecrets: [a, a]\n"))
	ref := referenceSchema(f)
	own, err := compiledSchema()
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		compareWithReference(t, ref, own, "fuzz.yaml", data)
	})
}

package render

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"
	"unicode/utf8"

	"sigs.k8s.io/yaml"
)

// TestYAMLRoundTrip reads every rendered document back with a YAML library
// and compares it with the object's JSON.
func TestYAMLRoundTrip(t *testing.T) {
	for _, c := range cases {
		for _, o := range renderCaseObjects(t, c) {
			want, err := clean(o)
			if err != nil {
				t.Fatal(err)
			}
			var buf bytes.Buffer
			writeYAML(&buf, want)
			j, err := yaml.YAMLToJSON(buf.Bytes())
			if err != nil {
				t.Fatalf("%s: %v\n%s", c.name, err, buf.Bytes())
			}
			wantJSON, err := json.Marshal(want)
			if err != nil {
				t.Fatal(err)
			}
			if got, want := decodeNumbers(t, j), decodeNumbers(t, wantJSON); !reflect.DeepEqual(got, want) {
				t.Errorf("%s %s does not read back equal:\n%s", c.name, o.GetName(), buf.Bytes())
			}
		}
	}
}

// decodeNumbers decodes JSON keeping numbers as their text, so that int64
// and json.Number compare equal.
func decodeNumbers(t *testing.T, b []byte) map[string]any {
	t.Helper()
	var v map[string]any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		t.Fatal(err)
	}
	return v
}

// FuzzYAMLString checks that any string, as key or value, reads back as
// itself.
func FuzzYAMLString(f *testing.F) {
	for _, s := range []string{"", "true", "No", "~", "1.4.2", "0755", "25%", "-c", "- x", "a: b", "a #b", "@x", "é", "a\nb", "\t", "null", "1e3", "0x1F", ".5", "<<", "key:", "*ref", "!tag", "%x", "-", "--", "---"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if !utf8.ValidString(s) {
			return // invalid UTF-8 cannot round-trip through JSON either
		}
		var buf bytes.Buffer
		writeYAML(&buf, map[string]any{"k": s, "v" + s: []any{s, map[string]any{s: s}}})
		j, err := yaml.YAMLToJSON(buf.Bytes())
		if err != nil {
			t.Fatalf("%q: %v\n%s", s, err, buf.Bytes())
		}
		var got map[string]any
		if err := json.Unmarshal(j, &got); err != nil {
			t.Fatal(err)
		}
		want := map[string]any{"k": s, "v" + s: []any{s, map[string]any{s: s}}}
		if !reflect.DeepEqual(got, want) {
			t.Fatalf("%q reads back as %v\n%s", s, got, buf.Bytes())
		}
	})
}

package httpapi

import (
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"unicode/utf8"
)

// resolve follows an RFC 6901 pointer in a decoded JSON document.
func resolve(doc any, ptr string) (any, bool) {
	if ptr == "" {
		return doc, true
	}
	for _, tok := range strings.Split(ptr[1:], "/") {
		tok = strings.ReplaceAll(strings.ReplaceAll(tok, "~1", "/"), "~0", "~")
		switch v := doc.(type) {
		case map[string]any:
			var ok bool
			if doc, ok = v[tok]; !ok {
				return nil, false
			}
		case []any:
			i, err := strconv.Atoi(tok)
			if err != nil || i < 0 || i >= len(v) {
				return nil, false
			}
			doc = v[i]
		default:
			return nil, false
		}
	}
	return doc, true
}

// FuzzJSONDiff: for any two JSON documents, a document differs from itself
// in nothing, and every change's pointer resolves to its From value in the
// first document and its To value in the second (add: absent from the
// first; remove: absent from the second).
func FuzzJSONDiff(f *testing.F) {
	for _, s := range [][2]string{
		{`{"a":1}`, `{"a":2}`}, {`{"a/b":{"~":[1,2]}}`, `{"a/b":{"~":[1]}}`}, {`[1,{"x":null}]`, `[1,{"x":false},3]`},
		{`{"env":{"A":"1"}}`, `{}`}, {`"s"`, `{"s":1}`}, {`{"":{"":1}}`, `{"":{"":2}}`},
	} {
		f.Add(s[0], s[1])
	}
	f.Fuzz(func(t *testing.T, a, b string) {
		var x, y any
		if json.Unmarshal([]byte(a), &x) != nil || json.Unmarshal([]byte(b), &y) != nil {
			return
		}
		var self []FieldChange
		diffValues("", x, x, &self)
		if len(self) != 0 {
			t.Fatalf("%s differs from itself: %+v", a, self)
		}
		var changes []FieldChange
		diffValues("", x, y, &changes)
		if !reflect.DeepEqual(x, y) && len(changes) == 0 {
			t.Fatalf("%s and %s differ but no change was found", a, b)
		}
		for _, c := range changes {
			from, inX := resolve(x, c.Path)
			to, inY := resolve(y, c.Path)
			switch c.Op {
			case "add":
				if inX || !inY || !reflect.DeepEqual(to, c.To) {
					t.Fatalf("add %s: in first %v, second %v=%v, change %+v", c.Path, inX, inY, to, c)
				}
			case "remove":
				if !inX || inY || !reflect.DeepEqual(from, c.From) {
					t.Fatalf("remove %s: first %v=%v, in second %v, change %+v", c.Path, inX, from, inY, c)
				}
			case "replace":
				if !inX || !inY || !reflect.DeepEqual(from, c.From) || !reflect.DeepEqual(to, c.To) || reflect.DeepEqual(from, to) {
					t.Fatalf("replace %s: %v → %v, change %+v", c.Path, from, to, c)
				}
			default:
				t.Fatalf("unknown op %+v", c)
			}
		}
	})
}

// FuzzAuditSummary: the before/after summary of any request body keeps at
// most 32 top-level fields, with keys and values clipped to valid UTF-8
// when the body was valid.
func FuzzAuditSummary(f *testing.F) {
	for _, s := range []string{`{"name":"x","settings":{"a":1},"tags":[1,2],"n":null}`, `[]`, `{"` + strings.Repeat("é", 100) + `":"` + strings.Repeat("ü", 300) + `"}`, ``} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		m := summarize([]byte(body))
		if len(m) > 32 {
			t.Fatalf("%d fields kept", len(m))
		}
		for k, v := range m {
			if len(k) > 64+len("…") || len(v) > 200+len("…") {
				t.Fatalf("not clipped: %q=%q", k, v)
			}
			if utf8.ValidString(body) && (!utf8.ValidString(k) || !utf8.ValidString(v)) {
				t.Fatalf("clipping broke UTF-8: %q=%q", k, v)
			}
		}
	})
}

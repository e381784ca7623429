package export

import (
	"encoding/json"
	"reflect"
	"testing"

	jsonpatch "gopkg.in/evanphx/json-patch.v4"
)

func TestDependencies(t *testing.T) {
	for v, want := range map[string]bool{"api": true, "http://api:8080/v1": true, "postgres://u:p@api:5432/db": true, "api.example.com": false, "rapid": false, "http://apis": false} {
		if got := namesHost(v, "api"); got != want {
			t.Errorf("namesHost(%q) = %v, want %v", v, got, want)
		}
	}
}

// FuzzJSONPatch: for any two JSON documents, applying the generated patch
// (with an RFC 6902 implementation) to the first gives the second.
func FuzzJSONPatch(f *testing.F) {
	f.Add(`{"metadata":{"labels":{"a/b":"x","c~d":"1"}},"spec":{"replicas":1,"list":[1,2]}}`,
		`{"metadata":{"labels":{"a/b":"y"}},"spec":{"replicas":3,"list":[1,2,3],"new":{"k":null}}}`)
	f.Add(`{"a":[{"b":1},{"c":2}]}`, `{"a":[{"b":2},{"d":2}]}`)
	f.Add(`{"a":{"b":[]}}`, `{"a":{"b":{}}}`)
	f.Add(`{}`, `{"":{"/":"~"}}`)
	f.Add(`{"a":1,"b":[1]}`, `{"a":null,"b":[null]}`)
	f.Fuzz(func(t *testing.T, a, b string) {
		var from, to map[string]any
		if json.Unmarshal([]byte(a), &from) != nil || json.Unmarshal([]byte(b), &to) != nil || from == nil || to == nil {
			return
		}
		ops := jsonPatch(from, to, "")
		raw, err := json.Marshal(ops)
		if err != nil {
			t.Fatal(err)
		}
		p, err := jsonpatch.DecodePatch(raw)
		if err != nil {
			t.Fatalf("decode %s: %v", raw, err)
		}
		out, err := p.Apply([]byte(a))
		if err != nil {
			t.Fatalf("apply %s to %s: %v", raw, a, err)
		}
		var got any
		if err := json.Unmarshal(out, &got); err != nil {
			t.Fatal(err)
		}
		if !reflect.DeepEqual(got, any(to)) {
			t.Fatalf("patch %s turns %s into %s, want %s", raw, a, out, b)
		}
	})
}

package httpapi

import (
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"unicode/utf8"

	"github.com/usecapsule/capsule"
)

func TestETagMatches(t *testing.T) {
	cases := []struct {
		header string
		want   bool
	}{
		{`"3"`, true}, {`"2"`, false}, {`*`, true}, {`"1", "3"`, true}, {`W/"3"`, false}, {`3`, true}, {``, false},
	}
	for _, c := range cases {
		if got := etagMatches(c.header, 3); got != c.want {
			t.Errorf("etagMatches(%q, 3) = %v, want %v", c.header, got, c.want)
		}
	}
}

func TestDiffRevisions(t *testing.T) {
	a := &capsule.ServiceRevision{Type: "web", Config: capsule.ServiceConfig{Env: map[string]string{"A/B": "1", "GONE": "x"},
		Networking: capsule.Networking{Domains: []string{"a.example"}}}}
	b := &capsule.ServiceRevision{Type: "api", Config: capsule.ServiceConfig{Env: map[string]string{"A/B": "2"},
		Networking: capsule.Networking{Domains: []string{"a.example", "b.example"}}}}
	got, err := diffRevisions(a, b)
	if err != nil {
		t.Fatal(err)
	}
	want := []FieldChange{
		{Path: "/configuration/env/A~1B", Op: "replace", From: "1", To: "2"},
		{Path: "/configuration/env/GONE", Op: "remove", From: "x"},
		{Path: "/configuration/networking/domains/1", Op: "add", To: "b.example"},
		{Path: "/type", Op: "replace", From: "web", To: "api"},
	}
	if len(got) != len(want) {
		t.Fatalf("got %+v, want %+v", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("change %d = %+v, want %+v", i, got[i], want[i])
		}
	}
	if same, _ := diffRevisions(a, a); len(same) != 0 {
		t.Errorf("a revision differs from itself: %+v", same)
	}
}

// FuzzDecodeJSON: any body yields nil or a KindInvalid/KindTooLarge error,
// never a panic or another kind.
func FuzzDecodeJSON(f *testing.F) {
	for _, s := range []string{`{"name":"x","slug":"x"}`, `{"name":`, `{} {}`, `{"nope":1}`, `[]`, `{"settings":{"a":[1,2]}}`, ``, `{"version":"1"}`, "\x00", "{\"name\":\"\xff\"}", `{"settings":` + strings.Repeat("[", 40), `{"name":"\udc00"}`, `{"name":"\ud800\u0041"}`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, body string) {
		rec := httptest.NewRecorder()
		r := httptest.NewRequest("POST", "/", strings.NewReader(body))
		r.Body = http.MaxBytesReader(rec, r.Body, 256)
		var p capsule.Project
		err := decodeJSON(r, &p)
		if err == nil {
			if !utf8.ValidString(body) {
				t.Fatalf("decodeJSON accepted invalid UTF-8 %q", body)
			}
			replaced := strings.ContainsRune(p.Name+p.Slug, utf8.RuneError)
			if replaced && !strings.ContainsRune(body, utf8.RuneError) && !strings.Contains(strings.ToLower(body), `\ufffd`) {
				t.Fatalf("decodeJSON replaced a character with U+FFFD in %q", body)
			}
			return
		}
		if k := capsule.ErrorKind(err); k != capsule.KindInvalid && k != capsule.KindTooLarge {
			t.Fatalf("decodeJSON(%q): kind %v: %v", body, k, err)
		}
	})
}

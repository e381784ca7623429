package manifest

import (
	"io/fs"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"
)

// sameAsRoundTrip fails when the direct decoding differs from the JSON
// round trip it replaces, in value or in whether it fails.
func sameAsRoundTrip(t *testing.T, name string, body []byte) {
	t.Helper()
	got, errGot := decode(body)
	if _, ambiguous := errGot.(errAmbiguousKey); ambiguous {
		return // the round trip keeps one of the two values at random
	}
	want, errWant := decodeViaJSON(body)
	if (errGot == nil) != (errWant == nil) {
		t.Fatalf("%s: direct error %v, round-trip error %v", name, errGot, errWant)
	}
	if errWant == nil && !reflect.DeepEqual(got, want) {
		t.Fatalf("%s: direct %#v\nround trip %#v", name, got, want)
	}
}

// Every YAML document under the engines' testdata decodes the same way.
func TestDecodeMatchesRoundTrip(t *testing.T) {
	n := 0
	err := filepath.WalkDir("..", func(path string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() || !strings.Contains(path, "testdata") {
			return err
		}
		if ext := filepath.Ext(path); ext != ".yaml" && ext != ".yml" {
			return nil
		}
		data, err := os.ReadFile(path)
		if err != nil {
			return err
		}
		for i, doc := range splitDocuments(data) {
			sameAsRoundTrip(t, path+" #"+string(rune('0'+i%10)), doc.body)
			n++
		}
		return nil
	})
	if err != nil {
		t.Fatal(err)
	}
	if n < 100 {
		t.Fatalf("only %d documents compared", n)
	}
}

func FuzzDecode(f *testing.F) {
	for _, s := range []string{
		"a: 1\nb: 1.0\nc: 1e3\nd: 0.5\ne: -0\nf: 1e21\ng: 9223372036854775807\nh: 18446744073709551615\n",
		"cpu: .5\nmem: 1Gi\non: yes\nn: ~\nt: 2001-12-14t21:59:43.10-05:00\n",
		"1: a\ntrue: b\n1.5: c\n",
		"s: \"\\xff\"\nx: .inf\ny: .nan\n",
		"- [1, 2, {a: b}]\n- !!binary aGVsbG8=\n",
		"a: &x {b: 1}\nc: *x\n",
		"{\"apiVersion\": \"v1\", \"n\": 12345678901234567890}",
		"key: [\n",
		"1: 1\n1.:", // two keys JSON sees as "1": refused, not decided by map order
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		sameAsRoundTrip(t, "fuzz", body)
	})
}

func TestAmbiguousKeysRefused(t *testing.T) {
	for _, body := range []string{"1: 1\n1.:", "a: {\"2\": x, 2: y}", "- {true: 1, \"true\": 2}"} {
		if _, err := decode([]byte(body)); err == nil || !strings.Contains(err.Error(), "written twice") {
			t.Errorf("decode(%q) = %v, want an error naming the key written twice", body, err)
		}
	}
	for _, body := range []string{"1: a\n2: b", "a: 1\nb: 2", "1: a\n\"2\": b"} {
		if _, err := decode([]byte(body)); err != nil {
			t.Errorf("decode(%q) = %v, want no error", body, err)
		}
	}
}

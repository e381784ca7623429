package deploy

import (
	"encoding/json"
	"strings"
	"testing"
)

func TestSampleValue(t *testing.T) {
	for _, c := range []struct {
		typ, raw string
		want     float64
		err      string
	}{
		{"vector", `[{"metric":{},"value":[1700000000.1,"99.5"]}]`, 99.5, ""},
		{"scalar", `[1700000000.1,"0.25"]`, 0.25, ""},
		{"vector", `[]`, 0, "no samples"},
		{"vector", `[{"metric":{},"value":[1700000000.1,"NaN"]}]`, 0, "NaN"},
		{"matrix", `[]`, 0, "must give one number"},
		{"vector", `[{"metric":{},"value":[1,"fast"]}]`, 0, `"fast" is not a number`},
		{"vector", `[{"metric":{},"value":[1]}]`, 0, "not a [time, value] pair"},
		{"vector", `{}`, 0, "vector result"},
	} {
		got, err := sampleValue(c.typ, json.RawMessage(c.raw), "q")
		if c.err == "" && (err != nil || got != c.want) {
			t.Errorf("%s %s: %v %v, want %v", c.typ, c.raw, got, err, c.want)
		}
		if c.err != "" && (err == nil || !strings.Contains(err.Error(), c.err)) {
			t.Errorf("%s %s: error %v, want one saying %q", c.typ, c.raw, err, c.err)
		}
	}
}

// FuzzSampleValue: any answer gives a number or an error, never a panic.
func FuzzSampleValue(f *testing.F) {
	f.Add("vector", `[{"metric":{},"value":[1700000000.1,"99.5"]}]`)
	f.Add("scalar", `[1,"1e3"]`)
	f.Add("vector", `[{"value":[1,2]}]`)
	f.Add("string", `[1,"x"]`)
	f.Fuzz(func(t *testing.T, typ, raw string) {
		v, err := sampleValue(typ, json.RawMessage(raw), "q")
		if err == nil && v != v {
			t.Fatalf("NaN accepted from %s %s", typ, raw)
		}
	})
}

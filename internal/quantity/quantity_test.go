package quantity

import (
	"errors"
	"testing"

	"k8s.io/apimachinery/pkg/api/resource"
)

func TestParse(t *testing.T) {
	for _, c := range []struct {
		in   any
		want int64
	}{{"500m", 500}, {0.5, 500}, {int64(2), 2000}, {2, 2000}, {int32(1), 1000}, {"1Ki", 1024000}} {
		if got, ok := Milli(c.in); !ok || got != c.want {
			t.Errorf("Milli(%#v) = %d, %v; want %d", c.in, got, ok, c.want)
		}
	}
	if _, err := Parse(true); !errors.Is(err, ErrNotQuantity) {
		t.Errorf("Parse(true) = %v, want ErrNotQuantity", err)
	}
	if _, err := Parse("12 apples"); err == nil {
		t.Error("Parse accepted a malformed quantity")
	}
	if !Equal("1Gi", "1024Mi") || !Equal(0.5, "500m") || Equal("1", "2") || Equal("x", "x") {
		t.Error("Equal compares by value and rejects what does not parse")
	}
}

func FuzzParse(f *testing.F) {
	for _, s := range []string{"500m", "1Gi", "", "1e3", "-1", "0.1m", "9223372036854775807Ei",
		"2e2000000000", "1e-2000000000"} { // huge exponents once hung every comparison
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		q, err := Parse(s)
		if err != nil {
			return
		}
		if !Equal(s, s) {
			t.Errorf("%q parses but does not compare equal to itself", s)
		}
		// Beyond the largest suffix (E) apimachinery's String loses digits
		// ("1000000000000000000000" prints as "1"): its round trip is only
		// checked within the range manifests use.
		mag := q.DeepCopy()
		if mag.Sign() < 0 {
			mag.Neg()
		}
		if mag.Cmp(resource.MustParse("999E")) > 0 {
			return
		}
		if !Equal(s, q.String()) {
			t.Errorf("%q parses to %s, which does not compare equal to it", s, q.String())
		}
	})
}

func TestOutOfRangeRefused(t *testing.T) {
	for _, s := range []string{"2e2000000000", "-2e2000000000", "1e-2000000000", "1e41", "1e999"} {
		if _, err := Parse(s); err != ErrOutOfRange {
			t.Errorf("Parse(%q) = %v, want ErrOutOfRange", s, err)
		}
	}
	for _, s := range []string{"9223372036854775807Ei", "1e38", "1e-30", "0.000000001", "500m", "16Ei", "0"} {
		if _, err := Parse(s); err != nil {
			t.Errorf("Parse(%q) = %v, want it accepted", s, err)
		}
	}
}

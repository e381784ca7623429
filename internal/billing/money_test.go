package billing

import (
	"strings"
	"testing"
)

func TestParseAmount(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{"0", "0.00"},
		{"", "0.00"},
		{"12.5", "12.50"},
		{"-0.000123", "-0.000123"},
		{"+3", "3.00"},
		{"1.2E-5", "0.000012"},
		{"1.0e+3", "1000.00"},
		{"4.5E-7", "0.00000045"},
		{".5", "0.50"},
		{"7.", "7.00"},
		{"0.000000000000000001", "0.000000000000000001"},
		{"0.0000000000000000015", "0.000000000000000002"},
		{"-0.0000000000000000015", "-0.000000000000000002"},
		{"0.0000000000000000004", "0.00"},
		{"999999999999999", "999999999999999.00"},
		{"00012.3400", "12.34"},
	} {
		a, err := ParseAmount(tc.in)
		if err != nil {
			t.Errorf("ParseAmount(%q): %v", tc.in, err)
			continue
		}
		if got := a.String(); got != tc.want {
			t.Errorf("ParseAmount(%q) = %s, want %s", tc.in, got, tc.want)
		}
	}
	for _, bad := range []string{"abc", "-", ".", "1,5", "1e", "1e99999", "NaN", "Inf", "1.2.3", "1e400", "2e15", "1 000"} {
		if _, err := ParseAmount(bad); err == nil {
			t.Errorf("ParseAmount(%q) accepted", bad)
		}
	}
}

// TestAmountSumIsExact adds a tenth a million times, which float64 gets
// wrong (99999.9999999986), and a sum that cancels to exactly zero.
func TestAmountSumIsExact(t *testing.T) {
	tenth := MustAmount("0.1")
	var s Amount
	for i := 0; i < 1_000_000; i++ {
		s = s.Add(tenth)
	}
	if s.String() != "100000.00" {
		t.Fatalf("sum = %s", s)
	}
	big := MustAmount("123456789012345.123456789012345678")
	if got := big.Add(big).Sub(big).Sub(big); !got.IsZero() {
		t.Fatalf("cancel = %s", got)
	}
	if got := MustAmount("-1.5").Half().String(); got != "-0.75" {
		t.Fatalf("half = %s", got)
	}
	if p, ok := MustAmount("0.192").Mul(MustAmount("24")); !ok || p.String() != "4.608" {
		t.Fatalf("mul = %s", p)
	}
	if MustAmount("-2").Cmp(MustAmount("1")) >= 0 || MustAmount("2").Sign() != 1 {
		t.Fatal("compare")
	}
}

func FuzzParseAmount(f *testing.F) {
	for _, s := range []string{"1.5", "-0.000123", "1E-5", "", "abc", "999999999999999.999999999999999999", "0.0000000000000000005"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		a, err := ParseAmount(s)
		if err != nil {
			return
		}
		out := a.String()
		if strings.ContainsAny(out, "eE") {
			t.Fatalf("%q printed with an exponent: %s", s, out)
		}
		b, err := ParseAmount(out)
		if err != nil || b.Cmp(a) != 0 {
			t.Fatalf("%q: %s does not read back (%v)", s, out, err)
		}
		if a.Add(a.Neg()).Sign() != 0 {
			t.Fatalf("%q: a-a != 0", s)
		}
	})
}

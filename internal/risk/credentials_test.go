package risk

import (
	"regexp"
	"testing"
)

// TestAWSKeyID pins the hand-written scan to the pattern it replaces:
// AKIA or ASIA, 16 uppercase letters or digits, as a whole word.
func TestAWSKeyID(t *testing.T) {
	for v, want := range map[string]bool{
		"AKIAIOSFODNN7EXAMPLE":             true,
		"id=ASIAY34FZKBOKMUTVV7A;":         true,
		"AKIAIOSFODNN7EXAMPLEX":            false, // 17 characters: not a key ID
		"xAKIAIOSFODNN7EXAMPLE":            false,
		"AKIAiosfodnn7example":             false,
		"Key IDs start with AKIA followed": false,
		"AKIA":                             false,
		"":                                 false,
	} {
		if got := hasAWSKeyID(v); got != want {
			t.Errorf("hasAWSKeyID(%q) = %v, want %v", v, got, want)
		}
	}
}

// FuzzAWSKeyID compares the scan with the regular expression it replaces.
func FuzzAWSKeyID(f *testing.F) {
	re := regexp.MustCompile(`\b(AKIA|ASIA)[0-9A-Z]{16}\b`)
	for _, s := range []string{"AKIAIOSFODNN7EXAMPLE", "a AKIAIOSFODNN7EXAMPLE b", "ASIA0000000000000000_", "AKIAAKIAIOSFODNN7EXAMPLE"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		if got, want := hasAWSKeyID(s), re.MatchString(s); got != want {
			t.Fatalf("hasAWSKeyID(%q) = %v, regexp says %v", s, got, want)
		}
	})
}

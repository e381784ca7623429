package opaque

import (
	"strings"
	"testing"
)

func TestNewIsRandomAndPrefixed(t *testing.T) {
	a, err := New("cap_join_")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := New("cap_join_")
	if a == b || !strings.HasPrefix(a, "cap_join_") || len(a) != len("cap_join_")+43 {
		t.Fatalf("New gave %q and %q", a, b)
	}
}

func TestHashMatches(t *testing.T) {
	// The digest is the plain hex SHA-256, so hashes stored by earlier
	// releases keep matching.
	if got := Hash("abc"); got != "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad" {
		t.Fatalf("Hash(abc) = %s", got)
	}
	if !Matches("abc", Hash("abc")) || Matches("abd", Hash("abc")) || Matches("abc", "") {
		t.Fatal("Matches disagrees with Hash")
	}
}

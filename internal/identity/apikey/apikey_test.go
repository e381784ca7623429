package apikey

import (
	"strings"
	"testing"
	"time"
)

func TestGenerateParseCheck(t *testing.T) {
	k, err := Generate()
	if err != nil {
		t.Fatal(err)
	}
	if !Looks(k.Plain) || len(k.Plain) != len(Prefix)+idLen+1+secretLen {
		t.Fatalf("key %q has the wrong shape", k.Plain)
	}
	id, err := Parse(k.Plain)
	if err != nil || id != k.ID {
		t.Fatalf("Parse = %q, %v; want %q", id, err, k.ID)
	}
	if strings.Contains(k.Hash, k.Plain) || len(k.Hash) != 64 {
		t.Fatalf("hash %q", k.Hash)
	}
	other, _ := Generate()
	if other.ID == k.ID || other.Plain == k.Plain {
		t.Fatal("two keys are equal")
	}

	now := time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)
	exp := now.Add(time.Hour)
	rec := APIKey{ID: k.ID, Hash: k.Hash, ExpiresAt: &exp}
	if err := rec.Check(k.Plain, now); err != nil {
		t.Errorf("valid key rejected: %v", err)
	}
	if err := rec.Check(other.Plain, now); err == nil {
		t.Error("wrong key accepted")
	}
	if err := rec.Check(k.Plain, exp); err == nil {
		t.Error("expired key accepted")
	}
	rec.RevokedAt = &now
	if err := rec.Check(k.Plain, now); err == nil {
		t.Error("revoked key accepted")
	}
}

func TestParseRejects(t *testing.T) {
	k, _ := Generate()
	for _, s := range []string{
		"", "cap_", "eyJhbGciOiJIUzI1NiJ9.e30.sig", "cap_short_secret",
		strings.ToUpper(k.Plain), k.Plain + "x", strings.Replace(k.Plain, "_", "-", 2),
		"cap_" + strings.Repeat("a", idLen) + "_" + strings.Repeat("1", secretLen),
		"cap_' OR 1=1 --_" + strings.Repeat("a", secretLen),
	} {
		if _, err := Parse(s); err == nil {
			t.Errorf("Parse(%q) accepted", s)
		}
	}
}

func FuzzParse(f *testing.F) {
	k, _ := Generate()
	f.Add(k.Plain)
	f.Add("cap_")
	f.Add("cap_aaaaaaaaaaaa_")
	f.Fuzz(func(t *testing.T, s string) {
		id, err := Parse(s)
		if err == nil && (len(id) != idLen || !strings.HasPrefix(s, Prefix+id+"_")) {
			t.Fatalf("Parse(%q) = %q", s, id)
		}
	})
}

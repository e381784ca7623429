package secretbox

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func kek(t testing.TB, b byte) KEK {
	t.Helper()
	k, err := NewKEK(bytes.Repeat([]byte{b}, KeySize))
	if err != nil {
		t.Fatal(err)
	}
	return k
}

func TestSealOpen(t *testing.T) {
	ring := NewKeyring(kek(t, 1))
	value := []byte("postgres://user:s3cr3t@db/app")
	aad := []byte("org_1/prod/DATABASE_URL/v1")
	s, err := ring.Seal(value, aad)
	if err != nil {
		t.Fatal(err)
	}
	if bytes.Contains(s.Ciphertext, value) || bytes.Contains(s.WrappedKey, value) {
		t.Fatal("plaintext visible in sealed value")
	}
	got, err := ring.Open(s, aad)
	if err != nil || !bytes.Equal(got, value) {
		t.Fatalf("Open = %q, %v", got, err)
	}
	s2, _ := ring.Seal(value, aad)
	if bytes.Equal(s.Ciphertext, s2.Ciphertext) || bytes.Equal(s.WrappedKey, s2.WrappedKey) {
		t.Fatal("two seals of one value are equal: data key or nonce reused")
	}
}

func TestOpenRejects(t *testing.T) {
	ring := NewKeyring(kek(t, 1))
	aad := []byte("a")
	s, _ := ring.Seal([]byte("v"), aad)
	flip := func(b []byte) []byte { c := bytes.Clone(b); c[len(c)-1] ^= 1; return c }
	cases := map[string]struct {
		s   Sealed
		aad []byte
	}{
		"other secret's aad": {s, []byte("b")},
		"tampered value":     {Sealed{s.KEKID, s.WrappedKey, flip(s.Ciphertext)}, aad},
		"tampered key":       {Sealed{s.KEKID, flip(s.WrappedKey), s.Ciphertext}, aad},
		"unknown kek":        {Sealed{"nope", s.WrappedKey, s.Ciphertext}, aad},
		"truncated":          {Sealed{s.KEKID, s.WrappedKey, s.Ciphertext[:5]}, aad},
	}
	for name, c := range cases {
		if _, err := ring.Open(c.s, c.aad); !errors.Is(err, ErrOpen) {
			t.Errorf("%s: Open err = %v, want ErrOpen", name, err)
		}
	}
	other := NewKeyring(kek(t, 2))
	if _, err := other.Open(s, aad); !errors.Is(err, ErrOpen) {
		t.Errorf("wrong master key opened the value: %v", err)
	}
}

func TestRotation(t *testing.T) {
	oldK, newK := kek(t, 1), kek(t, 2)
	aad := []byte("x")
	s, _ := NewKeyring(oldK).Seal([]byte("value"), aad)

	// During rotation both keys are loaded: old rows still open.
	ring := NewKeyring(newK, oldK)
	if v, err := ring.Open(s, aad); err != nil || string(v) != "value" {
		t.Fatalf("old row during rotation: %q, %v", v, err)
	}
	r, err := ring.Rewrap(s, aad)
	if err != nil {
		t.Fatal(err)
	}
	if r.KEKID != newK.ID || !bytes.Equal(r.Ciphertext, s.Ciphertext) {
		t.Fatalf("rewrap = %+v", r)
	}
	// After rotation the old key can be dropped.
	if v, err := NewKeyring(newK).Open(r, aad); err != nil || string(v) != "value" {
		t.Fatalf("rewrapped row with new key only: %q, %v", v, err)
	}
	if again, _ := ring.Rewrap(r, aad); !bytes.Equal(again.WrappedKey, r.WrappedKey) {
		t.Error("rewrap of a current row changed it")
	}
}

func TestNewKEKRejectsShortKey(t *testing.T) {
	if _, err := NewKEK([]byte("short")); err == nil {
		t.Fatal("short key accepted")
	}
}

func TestParseMasterKey(t *testing.T) {
	raw := bytes.Repeat([]byte{7}, KeySize)
	for _, s := range []string{hex.EncodeToString(raw), base64.StdEncoding.EncodeToString(raw) + "\n", base64.RawURLEncoding.EncodeToString(raw)} {
		if k, err := ParseMasterKey(s); err != nil || !bytes.Equal(k, raw) {
			t.Errorf("ParseMasterKey(%q) = %x, %v", s, k, err)
		}
	}
	for _, s := range []string{"", "short", strings.Repeat("z", 64), base64.StdEncoding.EncodeToString(raw[:16])} {
		if _, err := ParseMasterKey(s); err == nil {
			t.Errorf("ParseMasterKey(%q) accepted", s)
		}
	}
}

func TestLoadMasterKey(t *testing.T) {
	dir := filepath.Join(t.TempDir(), "data")
	k1, created, err := LoadMasterKey("", dir)
	if err != nil || !created || len(k1) != KeySize {
		t.Fatalf("first load: %x, %v, %v", k1, created, err)
	}
	fi, err := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file mode = %v, %v", fi.Mode().Perm(), err)
	}
	k2, created, err := LoadMasterKey("", dir)
	if err != nil || created || !bytes.Equal(k1, k2) {
		t.Fatalf("second load: %v, %v", created, err)
	}
	envKey := hex.EncodeToString(bytes.Repeat([]byte{9}, KeySize))
	if k, _, err := LoadMasterKey(envKey, dir); err != nil || k[0] != 9 {
		t.Fatalf("env key: %x, %v", k, err)
	}
	if _, _, err := LoadMasterKey("bad", dir); err == nil || !strings.Contains(err.Error(), "CAPSULE_MASTER_KEY") {
		t.Fatalf("bad env key: %v", err)
	}
	os.Chmod(filepath.Join(dir, KeyFileName), 0o644)
	if _, _, err := LoadMasterKey("", dir); err == nil || !strings.Contains(err.Error(), "chmod") {
		t.Fatalf("world-readable key file accepted: %v", err)
	}
}

func BenchmarkSealOpen(b *testing.B) {
	ring := NewKeyring(kek(b, 1))
	v := bytes.Repeat([]byte("x"), 256)
	for b.Loop() {
		s, _ := ring.Seal(v, []byte("aad"))
		if _, err := ring.Open(s, []byte("aad")); err != nil {
			b.Fatal(err)
		}
	}
}

package secretbox

import (
	"bytes"
	"encoding/base64"
	"encoding/hex"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// FuzzParseMasterKey: any text either parses to exactly KeySize bytes or
// fails with an error that does not repeat the text (it may be a key);
// every 32 bytes, printed as hex or base64, parse back to themselves.
func FuzzParseMasterKey(f *testing.F) {
	for _, s := range []string{"", strings.Repeat("ab", 32), base64.StdEncoding.EncodeToString(bytes.Repeat([]byte{7}, 32)),
		base64.RawURLEncoding.EncodeToString(bytes.Repeat([]byte{0xfb}, 32)), strings.Repeat("zz", 32), " \n" + strings.Repeat("0", 64) + "\n", "short"} {
		f.Add(s, []byte("0123456789abcdef0123456789abcdef"))
	}
	f.Fuzz(func(t *testing.T, s string, raw []byte) {
		key, err := ParseMasterKey(s)
		if err == nil && len(key) != KeySize {
			t.Fatalf("%q parsed to %d bytes", s, len(key))
		}
		if err != nil && len(strings.TrimSpace(s)) >= 8 && strings.Contains(err.Error(), strings.TrimSpace(s)) {
			t.Fatalf("error repeats the input: %v", err)
		}
		if len(raw) != KeySize {
			return
		}
		for _, text := range []string{hex.EncodeToString(raw), base64.StdEncoding.EncodeToString(raw), base64.RawURLEncoding.EncodeToString(raw)} {
			if got, err := ParseMasterKey(text); err != nil || !bytes.Equal(got, raw) {
				t.Fatalf("%q: %x, %v", text, got, err)
			}
		}
	})
}

// TestWriteKeyFile: the file is replaced whole with mode 0600 and reads back.
func TestWriteKeyFile(t *testing.T) {
	dir := t.TempDir()
	if _, _, err := LoadMasterKey("", dir); err != nil {
		t.Fatal(err)
	}
	key := bytes.Repeat([]byte{9}, KeySize)
	if err := WriteKeyFile(dir, key); err != nil {
		t.Fatal(err)
	}
	got, err := ReadKeyFile(dir)
	fi, serr := os.Stat(filepath.Join(dir, KeyFileName))
	if err != nil || serr != nil || !bytes.Equal(got, key) || fi.Mode().Perm() != 0o600 {
		t.Fatalf("read back %x, %v, %v, mode %v", got, err, serr, fi.Mode())
	}
	if entries, _ := os.ReadDir(dir); len(entries) != 1 {
		t.Fatalf("temporary files left: %v", entries)
	}
	if err := WriteKeyFile(dir, []byte("short")); err == nil {
		t.Fatal("a short key was written")
	}
}

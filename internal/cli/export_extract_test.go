package cli

import (
	"archive/tar"
	"bytes"
	"compress/gzip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func tarGz(t *testing.T, hdrs ...tar.Header) []byte {
	t.Helper()
	var buf bytes.Buffer
	gz := gzip.NewWriter(&buf)
	tw := tar.NewWriter(gz)
	for _, h := range hdrs {
		h.Size = int64(len("x"))
		if h.Typeflag != tar.TypeReg {
			h.Size = 0
		}
		if err := tw.WriteHeader(&h); err != nil {
			t.Fatal(err)
		}
		if h.Size > 0 {
			tw.Write([]byte("x"))
		}
	}
	tw.Close()
	gz.Close()
	return buf.Bytes()
}

// TestExtractExportStaysInside: an archive entry that would land outside
// --out, or that is not a regular file, is refused by name.
func TestExtractExportStaysInside(t *testing.T) {
	for _, h := range []tar.Header{
		{Name: "../evil.txt", Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "/etc/evil", Typeflag: tar.TypeReg, Mode: 0o644},
		{Name: "docs/link", Typeflag: tar.TypeSymlink, Linkname: "/etc/passwd"},
	} {
		dir := t.TempDir()
		_, err := extractExport(tarGz(t, h), filepath.Join(dir, "out"))
		if err == nil || !strings.Contains(err.Error(), h.Name) {
			t.Errorf("%s: %v", h.Name, err)
		}
		if _, err := os.Stat(filepath.Join(dir, "evil.txt")); err == nil {
			t.Errorf("%s: written outside --out", h.Name)
		}
	}
	dir := t.TempDir()
	if n, err := extractExport(tarGz(t, tar.Header{Name: "docs/README.md", Typeflag: tar.TypeReg, Mode: 0o644}), dir); err != nil || n != 1 {
		t.Fatalf("good archive: %d %v", n, err)
	}
	if _, err := extractExport([]byte("not gzip"), dir); err == nil || !strings.Contains(err.Error(), "not a gzip") {
		t.Errorf("not gzip: %v", err)
	}
}

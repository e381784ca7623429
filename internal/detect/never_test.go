package detect

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
)

// hasSignal reports whether one of the signals starts with prefix.
func hasSignal(signals []string, prefix string) bool {
	return slices.ContainsFunc(signals, func(s string) bool { return strings.HasPrefix(s, prefix) })
}

// TestUnreadableManifest: a package.json that exists but cannot be read
// (over the size limit, binary, a dangling link) is a warning naming it;
// the lockfile and the entry point still make the service.
func TestUnreadableManifest(t *testing.T) {
	base := fstest.MapFS{
		"pnpm-lock.yaml": {Data: []byte("lockfileVersion: '9.0'\n")},
		"server.js":      {Data: []byte("require('http').createServer().listen(4000)\n")},
	}
	big := strings.Repeat(" ", 2048) + "{}"
	for name, tc := range map[string]struct {
		data string
		opts Options
	}{
		"binary":    {"{\"name\": \"a\x00\"}", Options{}},
		"too large": {big, Options{MaxFileSize: 1024}},
	} {
		fsys := fstest.MapFS{"package.json": {Data: []byte(tc.data)}}
		for p, f := range base {
			fsys[p] = f
		}
		res, err := DetectFS(fsys, name, "shop", tc.opts)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		s := res.Services[0]
		if s.PackageManager != "pnpm" || s.StartCommand != "node server.js" ||
			!hasSignal(s.Signals, "warning: package.json: cannot be read") {
			t.Errorf("%s: got %+v", name, s)
		}
	}

	dir := t.TempDir()
	if err := os.Symlink("missing.json", filepath.Join(dir, "package.json")); err != nil {
		t.Fatal(err)
	}
	for p, f := range base {
		if err := os.WriteFile(filepath.Join(dir, p), f.Data, 0o644); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Detect(dir, Options{})
	if err != nil {
		t.Fatalf("dangling link: %v", err)
	}
	if s := res.Services[0]; s.PackageManager != "pnpm" || !hasSignal(s.Signals, "warning: package.json: cannot be read") {
		t.Errorf("dangling link: got %+v", s)
	}
}

// TestLoserWarningKept: the warning of a detector that lost (a broken
// package.json beside a Flask app) is among the winner's signals.
func TestLoserWarningKept(t *testing.T) {
	fsys := fstest.MapFS{
		"requirements.txt": {Data: []byte("flask\ngunicorn\n")},
		"app.py":           {Data: []byte("from flask import Flask\napp = Flask(__name__)\n")},
		"package.json":     {Data: []byte("{\n  \"scripts\": {\"build\": \"vite build\",},\n}\n")},
	}
	res, err := DetectFS(fsys, "mixed", "mixed", Options{})
	if err != nil {
		t.Fatal(err)
	}
	s := res.Services[0]
	if s.Framework != "flask" || !hasSignal(s.Signals, "warning: package.json:2:") {
		t.Fatalf("got %+v", s)
	}
}

// TestNothingDeployableKeepsWarnings: a repository whose only manifest is
// broken reports the warning in the "could not detect" answer.
func TestNothingDeployableKeepsWarnings(t *testing.T) {
	fsys := fstest.MapFS{"pom.xml": {Data: []byte("<project><artifactId>a</project>\n")}}
	_, err := DetectFS(fsys, "pom", "pom", Options{})
	if err == nil || !strings.Contains(err.Error(), "warning: pom.xml:1: invalid XML") {
		t.Fatalf("got %v", err)
	}
}

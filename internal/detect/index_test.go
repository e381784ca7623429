package detect

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

func writeFile(t *testing.T, root, name string, data []byte) {
	t.Helper()
	p := filepath.Join(root, name)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, data, 0o644); err != nil {
		t.Fatal(err)
	}
}

// TestLargeManifestSkipped: a package.json over the size limit is treated
// as absent, so the Flask app beside it is what is detected.
func TestLargeManifestSkipped(t *testing.T) {
	root := t.TempDir()
	big := `{"name":"big","dependencies":{"next":"14.0.0"},"description":"` + strings.Repeat("x", 1<<20) + `"}`
	writeFile(t, root, "package.json", []byte(big))
	writeFile(t, root, "requirements.txt", []byte("flask\ngunicorn\n"))
	writeFile(t, root, "app.py", []byte("from flask import Flask\napp = Flask(__name__)\n"))
	res, err := Detect(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Services[0].Framework; got != "flask" {
		t.Fatalf("framework = %q, want flask (the 1 MiB package.json must be skipped)", got)
	}
}

// TestSymlinkLoop walks a tree whose links point at themselves and at
// their parents without hanging.
func TestSymlinkLoop(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "go.mod", []byte("module example.com/loop\n\ngo 1.22\n"))
	writeFile(t, root, "main.go", []byte("package main\n\nimport \"net/http\"\n\nfunc main() { http.ListenAndServe(\":8080\", nil) }\n"))
	for name, target := range map[string]string{"a/up": "..", "self": "self", "b": "a", "a/c": "../b"} {
		if err := os.MkdirAll(filepath.Join(root, filepath.Dir(name)), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.Symlink(target, filepath.Join(root, name)); err != nil {
			t.Fatal(err)
		}
	}
	res, err := Detect(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Services[0]; s.Language != "go" || s.Port != 8080 {
		t.Fatalf("got %+v", s)
	}
}

// TestMaxDepth stops the walk at the configured depth.
func TestMaxDepth(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "a/b/package.json", []byte(`{"name":"deep","dependencies":{"express":"4"},"scripts":{"start":"node i.js"}}`))
	if _, err := Detect(root, Options{MaxDepth: 1}); err == nil {
		t.Fatal("an app below MaxDepth must not be found")
	}
	res, err := Detect(root, Options{MaxDepth: 6})
	if err != nil {
		t.Fatal(err)
	}
	if len(res.Services) != 1 || res.Services[0].Path != "a/b" {
		t.Fatalf("got %+v", res.Services)
	}
}

// TestNotDetected returns a typed error that lists the signals seen.
func TestNotDetected(t *testing.T) {
	_, err := DetectFS(os.DirFS("testdata/repos/go-library"), "repo", "repo", Options{})
	var nd *NotDetectedError
	if !errors.As(err, &nd) {
		t.Fatalf("want NotDetectedError, got %v", err)
	}
	if !strings.Contains(err.Error(), "could not detect a deployable service in repo") || len(nd.Signals) == 0 {
		t.Fatalf("unhelpful error: %v", err)
	}
}

// TestDetectPathErrors names a missing or non-directory root.
func TestDetectPathErrors(t *testing.T) {
	if _, err := Detect(filepath.Join(t.TempDir(), "missing"), Options{}); err == nil {
		t.Fatal("missing directory: want an error")
	}
	f := filepath.Join(t.TempDir(), "file")
	writeFile(t, filepath.Dir(f), "file", []byte("x"))
	if _, err := Detect(f, Options{}); err == nil || !strings.Contains(err.Error(), "not a directory") {
		t.Fatalf("file as root: got %v", err)
	}
}

// TestNameOption overrides the name of the root service only.
func TestNameOption(t *testing.T) {
	res, err := DetectFS(os.DirFS("testdata/repos/nextjs-pnpm"), "x", "x", Options{Name: "Shop Front"})
	if err != nil {
		t.Fatal(err)
	}
	if got := res.Services[0].Name; got != "shop-front" {
		t.Fatalf("name = %q", got)
	}
}

func TestDNSLabel(t *testing.T) {
	for in, want := range map[string]string{
		"@Acme/Web": "acme-web", "My_App.v2": "my-app-v2", "---": "app", "": "app",
		strings.Repeat("a", 70): strings.Repeat("a", 63), "Ünïcode app": "n-code-app",
	} {
		if got := dnsLabel(in); got != want {
			t.Errorf("dnsLabel(%q) = %q, want %q", in, got, want)
		}
	}
}

func TestNormalizeVersion(t *testing.T) {
	for _, c := range []struct {
		in    string
		parts int
		want  string
	}{
		{"v20.11.0", 1, "20"}, {">=18.17 <21", 1, "18"}, {"^3.11", 2, "3.11"}, {"~> 3.2.2", 2, "3.2"},
		{"18.x", 2, "18"}, {"python-3.12.1", 2, "3.12"}, {"lts/*", 1, ""}, {"1.22rc1", 2, "1.22"},
	} {
		if got := normalizeVersion(c.in, c.parts); got != c.want {
			t.Errorf("normalizeVersion(%q, %d) = %q, want %q", c.in, c.parts, got, c.want)
		}
	}
}

func TestResolveNodeEngines(t *testing.T) {
	for in, want := range map[string]string{
		">=18": "24", ">=18.17 <21": "20", "^18.17.0 || ^20.3.0 || >=21.0.0": "24", "18.x": "18",
		"20": "20", "~20.11": "20", ">=20 <=22": "22", ">16 <19": "18", "^16.14": "16", "<21": "20",
		">=18.0 <=20.x.x": "20",
	} {
		if got := resolveNodeEngines(in); got != want {
			t.Errorf("resolveNodeEngines(%q) = %q, want %q", in, got, want)
		}
	}
}

// TestLenientManifests accepts a byte-order mark and odd engines values,
// which npm accepts too.
func TestLenientManifests(t *testing.T) {
	root := t.TempDir()
	writeFile(t, root, "package.json", []byte("\xef\xbb\xbf"+`{"name":"bom","engines":{"node":20,"npm":["x"]},"dependencies":{"express":"4"},"scripts":{"start":"node i.js"}}`))
	res, err := Detect(root, Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Services[0]; s.Framework != "express" || s.RuntimeVersion != "20" {
		t.Fatalf("got %+v", s)
	}
}

// failingFS fails to open or list the paths in bad, like files without
// read permission.
type failingFS struct {
	fstest.MapFS
	bad map[string]bool
}

func (f failingFS) Open(name string) (fs.File, error) {
	if f.bad[name] {
		return nil, &fs.PathError{Op: "open", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.Open(name)
}

func (f failingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	if f.bad[name] {
		return nil, &fs.PathError{Op: "readdir", Path: name, Err: fs.ErrPermission}
	}
	return f.MapFS.ReadDir(name)
}

// TestUnreadable skips files and directories that cannot be read.
func TestUnreadable(t *testing.T) {
	fsys := failingFS{MapFS: fstest.MapFS{
		"requirements.txt": {Data: []byte("fastapi\nuvicorn\n")},
		"main.py":          {Data: []byte("from fastapi import FastAPI\napp = FastAPI()\n")},
		"package.json":     {Data: []byte(`{"dependencies":{"next":"14"}}`)},
		"private/app.py":   {Data: []byte("x")},
	}, bad: map[string]bool{"package.json": true, "private": true}}
	res, err := DetectFS(fsys, "repo", "repo", Options{})
	if err != nil {
		t.Fatal(err)
	}
	if s := res.Services[0]; s.Framework != "fastapi" {
		t.Fatalf("unreadable package.json must be skipped, got %+v", s)
	}
	fsys.bad["main.py"], fsys.bad["requirements.txt"] = true, true
	_, err = DetectFS(fsys, "repo", "repo", Options{})
	if err == nil || !strings.Contains(err.Error(), "private (unreadable) skipped") {
		t.Fatalf("want the unreadable directory named, got %v", err)
	}
}

// recordingFS records every path opened or listed.
type recordingFS struct {
	fs.FS
	seen []string
}

func (r *recordingFS) Open(name string) (fs.File, error) {
	r.seen = append(r.seen, name)
	return r.FS.Open(name)
}

func (r *recordingFS) ReadDir(name string) ([]fs.DirEntry, error) {
	r.seen = append(r.seen, name)
	return fs.ReadDir(r.FS, name)
}

// TestIgnoredDirsNeverRead: dependency and VCS directories are neither
// listed nor opened.
func TestIgnoredDirsNeverRead(t *testing.T) {
	rec := &recordingFS{FS: os.DirFS("testdata/repos/node-modules-ignored")}
	if _, err := DetectFS(rec, "x", "x", Options{}); err != nil {
		t.Fatal(err)
	}
	for _, p := range rec.seen {
		for _, dir := range []string{"node_modules", "vendor", ".git", ".venv"} {
			if p == dir || strings.HasPrefix(p, dir+"/") {
				t.Errorf("%s was read", p)
			}
		}
	}
	if len(rec.seen) == 0 {
		t.Fatal("nothing recorded")
	}
}

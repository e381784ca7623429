package detect

import (
	"errors"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"testing/fstest"
)

// addSeeds adds every fixture file called name as a seed, plus extras.
func addSeeds(f *testing.F, name string, extra ...string) {
	f.Helper()
	paths, _ := filepath.Glob(filepath.Join("testdata/repos/*", name))
	for _, p := range paths {
		if b, err := os.ReadFile(p); err == nil {
			f.Add(b)
		}
	}
	for _, e := range extra {
		f.Add([]byte(e))
	}
}

// checkManifestErr fails unless err is nil or a ManifestError naming file.
func checkManifestErr(t *testing.T, err error, file string) {
	t.Helper()
	if err == nil {
		return
	}
	var me *ManifestError
	if !errors.As(err, &me) || me.File != file {
		t.Fatalf("want a ManifestError for %s, got %T %v", file, err, err)
	}
	if me.Line < 0 {
		t.Fatalf("negative line in %v", err)
	}
}

func FuzzPackageJSON(f *testing.F) {
	addSeeds(f, "package.json", `{"scripts": 1}`, "{\n\"a\":\n", `{"engines": {"node": 20}}`)
	f.Fuzz(func(t *testing.T, b []byte) {
		p := parsePackageJSON("package.json", b)
		if p.warning != "" && !strings.HasPrefix(p.warning, "warning: package.json:") {
			t.Fatalf("warning does not name the file and line: %q", p.warning)
		}
	})
}

func FuzzPyProject(f *testing.F) {
	addSeeds(f, "pyproject.toml", "[project\nname = 1", "[tool.poetry]\ndependencies = 3\n")
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parsePyProject("pyproject.toml", b)
		checkManifestErr(t, err, "pyproject.toml")
	})
}

func FuzzGoMod(f *testing.F) {
	addSeeds(f, "go.mod", "module\n", "go 1.22\ntoolchain bad\n", "require (\n")
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parseGoMod("go.mod", b)
		checkManifestErr(t, err, "go.mod")
	})
}

func FuzzPom(f *testing.F) {
	addSeeds(f, "pom.xml", "<project><modules><module>", "<?xml version=\"1.0\"?><project/>")
	f.Fuzz(func(t *testing.T, b []byte) {
		_, err := parsePom("pom.xml", b)
		checkManifestErr(t, err, "pom.xml")
	})
}

func FuzzProcfile(f *testing.F) {
	addSeeds(f, "Procfile", "web:", ":cmd", "web: a\nweb: b\n", "# only a comment\n")
	f.Fuzz(func(t *testing.T, b []byte) {
		procs, err := parseProcfileText(b)
		checkManifestErr(t, err, "Procfile")
		if err == nil && len(procs) == 0 {
			t.Fatal("a Procfile without processes must be an error")
		}
		for _, p := range procs {
			_ = portInCommand(p.command)
		}
	})
}

func FuzzGemfile(f *testing.F) {
	addSeeds(f, "Gemfile", "gem 'a\n", "group :x do\n", "end\n", "gem\n",
		"if ENV[\"CI\"]\n  gem \"x\"\nend\n", "gem \"y\" if ENV[\"Y\"]\r\n", "\ufeffruby file: \".ruby-version\"\n",
		"def dep(n)\n  gem n\nend\n", "eval_gemfile <<~RUBY\n  gem \"z\"\nRUBY\n")
	f.Fuzz(func(t *testing.T, b []byte) {
		g := parseGemfile("Gemfile", b)
		if len(g.warnings) > 3 {
			t.Fatalf("%d warnings, want at most 3", len(g.warnings))
		}
	})
}

// FuzzDetect runs the whole detection on a repository whose manifests are
// the fuzz input: it must return services or an error, never panic.
func FuzzDetect(f *testing.F) {
	addSeeds(f, "package.json")
	f.Add([]byte("web: gunicorn app:app\n"))
	f.Add([]byte("FROM x\nEXPOSE \t \nCMD [\"a\"]\n"))
	f.Fuzz(func(t *testing.T, b []byte) {
		fsys := fstest.MapFS{}
		for _, name := range []string{"package.json", "requirements.txt", "go.mod", "Procfile", "Gemfile", "pom.xml", "Cargo.toml", "composer.json", "mix.exs", "deno.json", "Dockerfile", "app.py", "main.go", "app.csproj", "build.gradle", "pyproject.toml"} {
			fsys[name] = &fstest.MapFile{Data: b}
		}
		res, err := DetectFS(fsys, "fuzz", "fuzz", Options{})
		if err == nil && len(res.Services) == 0 {
			t.Fatal("no error and no service")
		}
	})
}

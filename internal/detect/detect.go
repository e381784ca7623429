package detect

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"sort"
	"strings"
)

// NotDetectedError reports a repository in which no deployable service was
// found, with every signal seen so the user can tell what was missing.
type NotDetectedError struct {
	Path    string
	Signals []string
}

// Error implements error.
func (e *NotDetectedError) Error() string {
	msg := "could not detect a deployable service in " + e.Path
	if len(e.Signals) == 0 {
		return msg + " (no manifest, entry point or Dockerfile found)"
	}
	return msg + "; signals seen: " + strings.Join(e.Signals, "; ")
}

// Detect walks the repository at root and returns its deployable services.
func Detect(root string, opts Options) (*Result, error) {
	abs, err := filepath.Abs(root)
	if err != nil {
		return nil, err
	}
	info, err := os.Stat(abs)
	if err != nil {
		return nil, err
	}
	if !info.IsDir() {
		return nil, fmt.Errorf("%s is not a directory", root)
	}
	return DetectFS(os.DirFS(abs), root, filepath.Base(abs), opts)
}

// DetectFS is Detect over any file system (tests use os.DirFS and
// fstest.MapFS). display names the repository in errors; rootName is the
// fallback name of a service at the root.
func DetectFS(fsys fs.FS, display, rootName string, opts Options) (*Result, error) {
	ix, err := newIndex(fsys, opts)
	if err != nil {
		return nil, err
	}
	r := &runner{ix: ix, rootName: rootName, opts: opts, matches: map[string]*Match{}, memo: map[string]matchResult{}}
	res, err := r.run()
	if err != nil {
		return nil, err
	}
	if len(res.Services) == 0 && len(res.Errors) == 0 {
		sig := append(r.seen, unsupported(ix)...)
		for _, p := range ix.skipped {
			sig = append(sig, p+" skipped")
		}
		return nil, &NotDetectedError{Path: display, Signals: sig}
	}
	if len(res.Services) == 0 && len(res.Errors) == 1 {
		return nil, errors.New(res.Errors[0].Error)
	}
	return res, nil
}

// runner holds the state of one detection run.
type runner struct {
	ix       *Index
	rootName string
	opts     Options
	seen     []string // signals of directories that yielded no service
	warnings []string // the warnings among seen
	matches  map[string]*Match
	memo     map[string]matchResult
}

func (r *runner) run() (*Result, error) {
	res := &Result{Services: []Service{}}
	apps := r.discover()
	for _, a := range apps {
		svcs, err := r.detectApp(a)
		if err != nil {
			if len(apps) == 1 {
				return nil, err
			}
			// One broken member of a monorepo must not hide the others.
			res.Errors = append(res.Errors, ServiceError{Path: a.Dir, Error: err.Error()})
			continue
		}
		res.Services = append(res.Services, svcs...)
	}
	if len(apps) > 1 {
		r.dropLibraries(res)
	}
	dropShadowWorkers(res)
	r.hoistGradleApp(res)
	res.Warnings = r.warnings
	finish(res)
	return res, nil
}

// finish sorts services and makes their names unique and DNS-safe.
func finish(res *Result) {
	sort.SliceStable(res.Services, func(i, j int) bool {
		return res.Services[i].Path < res.Services[j].Path
	})
	used := map[string]int{}
	for i := range res.Services {
		s := &res.Services[i]
		s.Name = dnsLabel(s.Name)
		if n := used[s.Name]; n > 0 {
			s.Name = dnsLabel(fmt.Sprintf("%s-%d", s.Name, n+1))
		}
		used[s.Name]++
		if s.Signals == nil {
			s.Signals = []string{}
		}
	}
}

// nameFor picks a service name: the root override, the manifest's package
// name without its npm scope, else the directory name.
func (r *runner) nameFor(a *App, m *Match) string {
	if a.Dir == "." && r.opts.Name != "" {
		return r.opts.Name
	}
	if n := m.PackageName; n != "" {
		if i := strings.LastIndex(n, "/"); i >= 0 {
			n = n[i+1:]
		}
		return n
	}
	if a.Dir == "." {
		return r.rootName
	}
	return path.Base(a.Dir)
}

// unsupportedMarkers are build files of languages detection does not
// support; naming them tells the user why nothing was found.
var unsupportedMarkers = []struct{ file, language string }{
	{"build.zig", "Zig"}, {"CMakeLists.txt", "C/C++ (CMake)"}, {"Makefile", "make"},
	{"Package.swift", "Swift"}, {"stack.yaml", "Haskell"}, {"pubspec.yaml", "Dart/Flutter"},
	{"dune-project", "OCaml"}, {"rebar.config", "Erlang"}, {"Project.toml", "Julia"},
	{"DESCRIPTION", "R"}, {"cpanfile", "Perl"}, {"gleam.toml", "Gleam"},
}

func unsupported(ix *Index) []string {
	var out []string
	for _, m := range unsupportedMarkers {
		if ix.Has(m.file) {
			out = append(out, m.file+" present: "+m.language+" is not a supported language (add a Dockerfile)")
		}
	}
	return out
}

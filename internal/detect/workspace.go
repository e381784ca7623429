package detect

import (
	"encoding/json"
	"path"
	"sort"
	"strings"

	"golang.org/x/mod/modfile"
	"sigs.k8s.io/yaml"
)

// Workspace is a monorepo root whose members are detected as separate
// apps. Commands of its members run from Root.
type Workspace struct {
	Root string
	// Kind names the mechanism ("pnpm workspace", "go.work", ...).
	Kind string
	// Tool is the task runner on top, if any: turbo, nx or lerna.
	Tool string
	// PackageManagerField is the root package.json packageManager value,
	// which members inherit.
	PackageManagerField string
	// Dirs are the member directories, sorted.
	Dirs []string
	// Others are directories the workspace globs match that hold another
	// ecosystem's app (a Go service under apps/ in a Turborepo): detected
	// on their own, outside the workspace.
	Others []string
	// Signal explains the membership, repeated on each member service.
	Signal string
	js     bool
	// rustVersion is a Cargo workspace's [workspace.package] rust-version,
	// which members inherit with rust-version.workspace = true.
	rustVersion string
}

// cargoWorkspaceKind names a Cargo workspace.
const cargoWorkspaceKind = "Cargo workspace"

// findWorkspace recognises a monorepo at the repository root.
func findWorkspace(ix *Index) *Workspace {
	if ws := jsWorkspace(ix); ws != nil {
		return ws
	}
	if ws := jvmWorkspace(ix); ws != nil {
		return ws
	}
	if ws := cargoWorkspace(ix); ws != nil {
		return ws
	}
	return goWorkspace(ix)
}

// cargoWorkspace recognises a Cargo workspace at the root ([workspace]
// members, globs allowed, minus exclude): members build from the root with
// cargo build -p, and their binaries land in the root's target/ directory,
// not their own. A root that is also a package is an app itself.
func cargoWorkspace(ix *Index) *Workspace {
	b, ok := ix.Read("Cargo.toml")
	if !ok {
		return nil
	}
	var c cargoToml
	if parseTOML("Cargo.toml", b, &c) != nil || c.Workspace == nil || len(c.Workspace.Members) == 0 {
		return nil // a broken root manifest is reported by the Rust detector
	}
	globs := make([]string, 0, len(c.Workspace.Members)+len(c.Workspace.Exclude))
	for _, m := range c.Workspace.Members {
		globs = append(globs, path.Clean(strings.TrimPrefix(m, "./")))
	}
	for _, e := range c.Workspace.Exclude {
		globs = append(globs, "!"+path.Clean(strings.TrimPrefix(e, "./")))
	}
	ws := &Workspace{Root: ".", Kind: cargoWorkspaceKind, Signal: "member of the Cargo workspace at the repository root",
		rustVersion: string(c.Workspace.Package.RustVersion)}
	ws.Dirs = matchDirs(ix, globs, "Cargo.toml")
	if len(ws.Dirs) == 0 {
		return nil
	}
	return ws
}

var gradleIncludeRe = lazyRegexp(`include\s*\(?\s*((?:["'][:\w./-]+["']\s*,?\s*)+)`)

// jvmWorkspace recognises a Maven multi-module build (<modules>) or a Gradle
// multi-project build (include in settings.gradle): modules build from the
// root so that sibling libraries are built first.
func jvmWorkspace(ix *Index) *Workspace {
	if b, ok := ix.Read("pom.xml"); ok {
		p, err := parsePom("pom.xml", b)
		if err != nil || len(p.Modules) == 0 {
			return nil
		}
		ws := &Workspace{Root: ".", Kind: "Maven multi-module build", Signal: "module of the Maven multi-module build at the repository root"}
		for _, m := range p.Modules {
			if d := path.Clean(m); ix.Has(join(d, "pom.xml")) {
				ws.Dirs = append(ws.Dirs, d)
			}
		}
		sort.Strings(ws.Dirs)
		return ws
	}
	settings := ix.ReadString("settings.gradle.kts") + ix.ReadString("settings.gradle")
	ms := gradleIncludeRe.FindAllStringSubmatch(settings, -1)
	if len(ms) == 0 {
		return nil
	}
	ws := &Workspace{Root: ".", Kind: "Gradle multi-project build", Signal: "project of the Gradle multi-project build at the repository root"}
	for _, m := range ms {
		for _, q := range quotedRe.FindAllStringSubmatch(m[1], -1) {
			d := strings.ReplaceAll(strings.TrimPrefix(q[1], ":"), ":", "/")
			if ix.Has(join(d, "build.gradle")) || ix.Has(join(d, "build.gradle.kts")) {
				ws.Dirs = append(ws.Dirs, d)
			}
		}
	}
	sort.Strings(ws.Dirs)
	return ws
}

func jsWorkspace(ix *Index) *Workspace {
	var pkg struct {
		PackageManager string          `json:"packageManager"`
		Workspaces     json.RawMessage `json:"workspaces"`
	}
	_ = json.Unmarshal([]byte(ix.ReadString("package.json")), &pkg)
	if ix.Has("redwood.toml") {
		// A Redwood app's api/ and web/ workspaces build and serve as one
		// app from the root (yarn rw build, yarn rw serve).
		return nil
	}
	ws := &Workspace{Root: ".", PackageManagerField: pkg.PackageManager, js: true}
	var globs []string
	var list []string
	var obj struct{ Packages []string }
	switch {
	case ix.Has("pnpm-workspace.yaml"):
		var y struct{ Packages []string }
		_ = yaml.Unmarshal([]byte(ix.ReadString("pnpm-workspace.yaml")), &y)
		globs, ws.Kind = y.Packages, "pnpm workspace"
	case json.Unmarshal(pkg.Workspaces, &list) == nil && len(list) > 0:
		globs, ws.Kind = list, "package.json workspaces"
	case json.Unmarshal(pkg.Workspaces, &obj) == nil && len(obj.Packages) > 0:
		globs, ws.Kind = obj.Packages, "package.json workspaces"
	case ix.Has("lerna.json"):
		var l struct{ Packages []string }
		_ = json.Unmarshal([]byte(ix.ReadString("lerna.json")), &l)
		if len(l.Packages) == 0 {
			l.Packages = []string{"packages/*"}
		}
		globs, ws.Kind = l.Packages, "lerna packages"
	case ix.Has("nx.json"):
		globs, ws.Kind = []string{"apps/*", "libs/*", "packages/*"}, "Nx workspace"
	default:
		return nil
	}
	switch {
	case ix.Has("turbo.json"):
		ws.Tool = "turbo"
	case ix.Has("nx.json"):
		ws.Tool = "nx"
	case ix.Has("lerna.json"):
		ws.Tool = "lerna"
	}
	ws.Dirs = matchDirs(ix, globs, "package.json", "project.json")
	members := map[string]bool{}
	for _, d := range ws.Dirs {
		members[d] = true
	}
	for _, d := range matchDirs(ix, globs, manifests...) {
		if !members[d] {
			ws.Others = append(ws.Others, d)
		}
	}
	ws.Signal = "member of the " + ws.Kind + " at the repository root"
	if ws.Tool != "" {
		ws.Signal += " (" + ws.Tool + ")"
	}
	return ws
}

func goWorkspace(ix *Index) *Workspace {
	b, ok := ix.Read("go.work")
	if !ok {
		return nil
	}
	wf, err := modfile.ParseWork("go.work", b, nil)
	if err != nil {
		return nil // reported by the Go detector of the members, if any
	}
	ws := &Workspace{Root: ".", Kind: "go.work", Signal: "module of the go.work workspace at the repository root"}
	for _, u := range wf.Use {
		d := path.Clean(strings.TrimPrefix(u.Path, "./"))
		if ix.Has(join(d, "go.mod")) {
			ws.Dirs = append(ws.Dirs, d)
		}
	}
	sort.Strings(ws.Dirs)
	return ws
}

// matchDirs expands workspace globs ("apps/*", "packages/**", "docs",
// "!packages/internal") to the directories holding one of markers.
func matchDirs(ix *Index, globs []string, markers ...string) []string {
	var out []string
	for dir := range ix.dirs {
		if dir == "." || !hasAny(ix, dir, markers) {
			continue
		}
		in := false
		for _, g := range globs {
			neg := strings.HasPrefix(g, "!")
			g = strings.TrimSuffix(strings.TrimPrefix(strings.TrimPrefix(g, "!"), "./"), "/")
			if globMatch(g, dir) {
				in = !neg
			}
		}
		if in {
			out = append(out, dir)
		}
	}
	sort.Strings(out)
	return out
}

func hasAny(ix *Index, dir string, files []string) bool {
	for _, f := range files {
		if ix.Has(join(dir, f)) {
			return true
		}
	}
	return false
}

// globMatch matches a workspace glob, where "**" spans any number of
// directories.
func globMatch(g, dir string) bool {
	if pre, ok := strings.CutSuffix(g, "/**"); ok {
		return strings.HasPrefix(dir, pre+"/")
	}
	gs, ds := strings.Split(g, "/"), strings.Split(dir, "/")
	if len(gs) != len(ds) {
		return false
	}
	for i := range gs {
		if ok, _ := path.Match(gs[i], ds[i]); !ok {
			return false
		}
	}
	return true
}

// dropLibraries removes workspace members that other members consume and
// that only build assets (a Vite component library is not a static site).
func (r *runner) dropLibraries(res *Result) {
	consumed := map[string]bool{}
	for _, m := range r.matches {
		for _, d := range m.Deps {
			consumed[d] = true
		}
	}
	kept := res.Services[:0]
	for _, s := range res.Services {
		m := r.matches[s.Path]
		if m != nil && m.PackageName != "" && consumed[m.PackageName] && s.StartCommand == "" {
			r.seen = append(r.seen, s.Path+": library consumed by other workspace packages")
			continue
		}
		kept = append(kept, s)
	}
	res.Services = kept
}

package detect

import (
	"strings"
)

// manifests mark a directory as a candidate application when the root is
// not one itself ("several apps side by side").
var manifests = []string{
	"package.json", "go.mod", "requirements.txt", "pyproject.toml", "Pipfile",
	"manage.py", "Gemfile", "pom.xml", "build.gradle", "build.gradle.kts",
	"build.sbt", "project.clj", "deps.edn", "composer.json", "mix.exs",
	"Cargo.toml", "deno.json", "deno.jsonc", "Dockerfile", "Procfile",
	"index.html", "public/index.html", "hugo.toml", "mkdocs.yml", "_config.yml",
	// Hugo also reads YAML/JSON and a per-environment config/_default/.
	"hugo.yaml", "hugo.json", "config/_default/hugo.toml", "config/_default/hugo.yaml",
	"config/_default/config.toml", "config/_default/config.yaml",
}

// notApps are directory names that hold examples, tests or tooling, never
// a deployable app of the repository.
var notApps = map[string]bool{
	"examples": true, "example": true, "test": true, "tests": true,
	"e2e": true, "fixtures": true, "testdata": true, "scripts": true,
	"tools": true, "hack": true, ".github": true, "node_modules": true,
	"samples": true, "benchmarks": true, "sample": true, "benchmark": true, "bench": true,
	"__tests__": true, "integration-tests": true, "load-tests": true, "loadtest": true,
	"cypress": true, "playwright": true, "playground": true, "playgrounds": true,
}

// discover returns the application directories to detect: the members of
// a workspace, else the root when it is an app, else the apps found one or
// two levels down.
func (r *runner) discover() []*App {
	if ws := findWorkspace(r.ix); ws != nil {
		apps := make([]*App, 0, len(ws.Dirs)+1)
		// The root of a JS workspace can be an app itself (a Next.js app
		// with local packages); an Nx root holds every project's
		// dependencies and a Maven/Gradle root only aggregates: never apps.
		// A Cargo workspace's root may be a package too (a binary crate
		// with its libraries under crates/).
		if root := (&App{ix: r.ix, Dir: ".", Workspace: ws}); ws.Tool != "nx" && (ws.js || ws.Kind == cargoWorkspaceKind) && r.rootIsApp(root) {
			apps = append(apps, root)
		}
		for _, dir := range ws.Dirs {
			if underNotApps(dir) {
				// Library monorepos list examples/* and benchmarks in
				// their workspace so they build against the local
				// packages; they are not what the repository deploys.
				continue
			}
			apps = append(apps, &App{ix: r.ix, Dir: dir, Workspace: ws})
		}
		for _, dir := range ws.Others {
			if underNotApps(dir) {
				continue
			}
			a := &App{ix: r.ix, Dir: dir}
			a.Signal("inside the %s globs but not a JS package: detected on its own", ws.Kind)
			apps = append(apps, a)
		}
		apps = append(apps, r.outsideWorkspace(ws)...)
		if len(apps) > 0 {
			return apps
		}
	}
	root := &App{ix: r.ix, Dir: "."}
	if r.rootIsApp(root) {
		r.noteNested(root)
		return []*App{root}
	}
	var apps []*App
	for _, dir := range r.subApps(".", 3) {
		apps = append(apps, &App{ix: r.ix, Dir: dir})
	}
	if len(apps) == 0 {
		return []*App{root}
	}
	return apps
}

// rootIsApp reports whether the root directory holds a deployable match on
// its own; otherwise sub-directories are searched.
func (r *runner) rootIsApp(root *App) bool {
	if !hasManifest(root) {
		return false
	}
	m, _, err := r.bestMatch(root)
	if err != nil || m != nil && m.Deployable {
		return true // a malformed manifest is surfaced by detectApp
	}
	return root.Has("Dockerfile") || root.Has("Procfile")
}

func hasManifest(a *App) bool {
	for _, m := range manifests {
		if a.Has(m) {
			return true
		}
	}
	return dotnetProject(a) != ""
}

// subApps lists directories up to depth levels below dir that hold a
// manifest; a directory that is an app is not searched further.
func (r *runner) subApps(dir string, depth int) []string {
	var out []string
	for _, e := range r.ix.List(dir) {
		if !strings.HasSuffix(e, "/") {
			continue
		}
		name := strings.TrimSuffix(e, "/")
		if notApps[name] || strings.HasPrefix(name, ".") {
			continue
		}
		sub := join(dir, name)
		if hasManifest(&App{ix: r.ix, Dir: sub}) {
			out = append(out, sub)
		} else if depth > 1 {
			out = append(out, r.subApps(sub, depth-1)...)
		}
	}
	return out
}

// noteNested tells the user about sub-directories that hold their own app
// manifest when the root is an app: they are often assets or tools of the
// root app (a Vite SPA the Go binary embeds), so they are not detected as
// services, but the signal says how to detect them.
func (r *runner) noteNested(root *App) {
	for _, e := range r.ix.List(".") {
		name := strings.TrimSuffix(e, "/")
		if !strings.HasSuffix(e, "/") || notApps[name] || strings.HasPrefix(name, ".") {
			continue
		}
		sub := &App{ix: r.ix, Dir: name}
		for _, m := range manifests {
			if sub.Has(m) && !strings.HasSuffix(m, "index.html") && m != "_config.yml" {
				root.Signal("%s/%s: not detected separately because the root is an app (run capsule detect %s)", name, m, name)
				break
			}
		}
	}
}

// docGenerators are the frameworks of documentation sites.
var docGenerators = map[string]bool{"docusaurus": true, "vitepress": true, "mkdocs": true, "hugo": true,
	"jekyll": true, "eleventy": true, "hexo": true}

// docDirs are the folders monorepos keep their documentation site in.
var docDirs = map[string]bool{"docs": true, "website": true, "documentation": true, "doc": true, "site": true,
	"docs-site": true, "www": true}

// outsideWorkspace finds the deployable apps a workspace's globs leave
// out: a documentation site (a Docusaurus website/ beside packages/*, which
// keeps its own lockfile precisely so the library's workspace does not
// install it) and an app of another language than the workspace's (a
// Python backend beside the front-end packages, a React frontend/ beside a
// Gradle build). Same-language packages outside the globs are left out on
// purpose (templates, playgrounds), as the workspace's authors did.
func (r *runner) outsideWorkspace(ws *Workspace) []*App {
	inside := func(dir string) bool {
		for _, d := range append(append([]string{}, ws.Dirs...), ws.Others...) {
			if d == dir || strings.HasPrefix(d, dir+"/") || strings.HasPrefix(dir, d+"/") {
				return true
			}
		}
		return false
	}
	var out []*App
	for _, dir := range r.subApps(".", 2) {
		if inside(dir) {
			continue
		}
		a := &App{ix: r.ix, Dir: dir}
		m, _, err := r.bestMatch(a)
		if err != nil || m == nil || !m.Deployable {
			continue
		}
		top, _, _ := strings.Cut(dir, "/")
		switch {
		case docGenerators[m.Framework] || docDirs[top] && m.Type == "static":
			a.Signal("documentation site outside the %s members: deployed on its own", ws.Kind)
		case ws.language() != "" && m.Language != ws.language() && !r.builtByWorkspace(m):
			a.Signal("%s app outside the %s members: detected on its own", m.Language, ws.Kind)
		default:
			continue
		}
		out = append(out, a)
	}
	return out
}

// language is the language of the workspace's members, as detection names
// it.
func (ws *Workspace) language() string {
	switch {
	case ws.js:
		return "javascript"
	case strings.HasPrefix(ws.Kind, "Maven"), strings.HasPrefix(ws.Kind, "Gradle"):
		return "java"
	case ws.Kind == "go.work":
		return "go"
	case ws.Kind == cargoWorkspaceKind:
		return "rust"
	}
	return ""
}

// builtByWorkspace reports whether the JVM build bundles a JavaScript app
// into its own artifact (frontend-maven-plugin, the node-gradle plugin): it
// is then part of the JVM service, not a service of its own.
func (r *runner) builtByWorkspace(m *Match) bool {
	if m.Language != "javascript" {
		return false
	}
	build := r.ix.ReadString("pom.xml") + r.ix.ReadString("build.gradle") + r.ix.ReadString("build.gradle.kts")
	return containsAny(build, []string{"frontend-maven-plugin", "com.github.node-gradle", "com.moowork.node"})
}

// underNotApps reports whether a repository path lies in an examples,
// tests, fixtures or benchmarks directory.
func underNotApps(dir string) bool {
	for _, part := range strings.Split(dir, "/") {
		if notApps[part] {
			return true
		}
	}
	return false
}

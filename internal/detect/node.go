package detect

import (
	"encoding/json"
	"sort"
	"strings"
)

// packageJSON is the part of package.json detection reads.
type packageJSON struct {
	Name             string            `json:"name"`
	Private          bool              `json:"private"`
	Main             string            `json:"main"`
	Module           string            `json:"module"`
	Scripts          map[string]string `json:"scripts"`
	Dependencies     map[string]string `json:"dependencies"`
	DevDependencies  map[string]string `json:"devDependencies"`
	PeerDependencies map[string]string `json:"peerDependencies"`
	Engines          looseStrings      `json:"engines"`
	PackageManager   string            `json:"packageManager"`
	Workspaces       json.RawMessage   `json:"workspaces"`
	// warning names a field of the wrong type that was skipped.
	warning string
}

// parsePackageJSON parses package.json content. A mistake never fails:
// it comes back in warning (naming the line), with what could be read.
func parsePackageJSON(file string, b []byte) *packageJSON {
	var p packageJSON
	p.warning = parseJSONLoose(file, b, &p)
	return &p
}

// has reports whether the package depends on any of names (any section).
func (p *packageJSON) has(names ...string) bool {
	for _, n := range names {
		if _, ok := p.Dependencies[n]; ok {
			return true
		}
		if _, ok := p.DevDependencies[n]; ok {
			return true
		}
	}
	return false
}

// version returns the declared version range of dependency name.
func (p *packageJSON) version(name string) string {
	if v, ok := p.Dependencies[name]; ok {
		return v
	}
	return p.DevDependencies[name]
}

func (p *packageJSON) deps() []string {
	var out []string
	for n := range p.Dependencies {
		out = append(out, n)
	}
	for n := range p.DevDependencies {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// nodeDetector recognises Node.js and TypeScript apps (Bun included).
type nodeDetector struct{}

var _ Detector = nodeDetector{}

// Name implements Detector.
func (nodeDetector) Name() string { return "node" }

// Detect implements Detector.
func (nodeDetector) Detect(a *App) (*Match, error) {
	b, ok, unreadable := a.Manifest("package.json")
	if !ok {
		return nxIntegrated(a)
	}
	pkg := &packageJSON{warning: unreadable}
	if unreadable == "" {
		pkg = parsePackageJSON(a.Path("package.json"), b)
	}
	m := &Match{PackageName: pkg.Name, Deps: pkg.deps()}
	m.Language = "javascript"
	if pkg.warning != "" {
		m.Signals = append(m.Signals, pkg.warning)
	}
	pm := nodePackageManager(a, pkg)
	m.PackageManager = pm.name
	m.Signals = append(m.Signals, pm.signals...)
	m.RuntimeVersion, m.Signals = nodeVersion(a, pkg, pm.name, m.Signals)
	fw := matchNodeFramework(a, pkg)
	run := nodeRunner{pm: pm.name, pkg: pkg, a: a}
	switch {
	case fw != nil:
		fw.apply(m, a, pkg, run)
	case nodeClientApp(pkg) != "":
		// Electron and React Native apps run on desktops and phones; their
		// start script launches a simulator or a window, not a server.
		m.Score = scoreTooling
		m.Signals = append(m.Signals, "package.json depends on "+nodeClientApp(pkg)+": a desktop or mobile app, not a service")
	default:
		nodePlain(m, a, pkg, run)
	}
	if m.Deployable && pkg.has("prisma", "@prisma/client") && a.Has("prisma/schema.prisma") {
		// postinstall often runs prisma generate, which needs the schema
		// before the install; the client must be generated for the app.
		m.Signals = append(m.Signals, "Prisma schema prisma/schema.prisma: the client is generated in the build")
	}
	return m, nil
}

// nodePlain handles a package with no recognised framework: deployable
// when it has a start script or a server entry file, else tooling.
func nodePlain(m *Match, a *App, pkg *packageJSON, run nodeRunner) {
	m.Framework = "javascript"
	if run.pm == "bun" {
		m.Framework = "bun"
	}
	m.BuildCommand = run.script("build")
	start, entry := run.start("")
	if start == "" {
		if len(pkg.deps()) == 0 && len(pkg.Scripts) == 0 {
			m.Score = scoreManifest
		} else {
			m.Score = scoreTooling
		}
		m.Signals = append(m.Signals, "package.json has no start script, server entry point or framework (tooling or library)")
		return
	}
	m.StartCommand = run.envFileStart(m, start)
	m.Score, m.Deployable, m.Type = scoreRunnable, true, "web"
	if nodeGRPC(m, a, pkg, entry) {
		return
	}
	if entry != "" && !nodeServes(a.ReadString(entry)) {
		m.Type = "worker"
		m.Signals = append(m.Signals, a.Path(entry)+" opens no port: a worker")
		return
	}
	if start == run.run("start") || start == run.run("start:prod") {
		m.Signals = append(m.Signals, "package.json has a start script")
	} else {
		m.Signals = append(m.Signals, "server entry point "+a.Path(entry))
	}
	m.Port = nodePort(m, a, pkg, entry, 3000)
}

// nodeEntries are the files a Node server conventionally starts from.
var nodeEntries = []string{
	"server.js", "server.mjs", "server.ts", "index.js", "index.mjs", "index.ts",
	"app.js", "app.ts", "main.js", "main.ts", "src/server.ts", "src/server.js",
	"src/index.ts", "src/index.js", "src/main.ts", "src/main.js", "src/app.ts",
	"src/app.js", "bin/www",
}

// entryFile finds the file a start command or the main field names.
func entryFile(a *App, pkg *packageJSON, start string) string {
	for _, f := range strings.Fields(start) {
		f = strings.TrimPrefix(f, "./")
		if a.Has(f) && f != "package.json" {
			return f
		}
	}
	for _, f := range []string{pkg.Main, pkg.Module} {
		if f = strings.TrimPrefix(f, "./"); f != "" && a.Has(f) {
			return f
		}
	}
	return ""
}

var nodePortRules = []portRule{
	rule("a PORT default", `process\.env(?:\.PORT|\[['"]PORT['"]\])\s*(?:\|\||\?\?)\s*['"]?(\d{2,5})`),
	rule("a PORT default", `(?i)normalizePort\(\s*process\.env\.PORT\s*\|\|\s*['"](\d{2,5})`),
	rule("a PORT default", `process\.env\.PORT\s*\?[^:\n]*:\s*(\d{2,5})`),
	rule("listen()", `\.listen\(\s*(\d{2,5})\s*[,)]`),
	rule("listen({port})", `\.listen\(\s*\{[^}]*\bport:\s*(\d{2,5})`),
	rule("a port option", `\bport:\s*(\d{2,5})\b`),
	rule("a PORT constant", `(?i)(?:const|let|var)\s+port\s*(?::\s*number\s*)?=\s*(\d{2,5})\b`),
}

// nodePort finds the port in the start script, then the entry file and the
// usual server files, else returns def.
func nodePort(m *Match, a *App, pkg *packageJSON, entry string, def int) int {
	start := pkg.Scripts["start"]
	if p := portInCommand(start); p != 0 {
		m.Signals = append(m.Signals, "start script sets the port")
		return p
	}
	if p := envPortInCommand(start); p != 0 {
		m.Signals = append(m.Signals, "start script sets PORT")
		return p
	}
	files := nodeEntries
	if entry != "" {
		files = append([]string{entry}, nodeEntries...)
	}
	if p, sig := scanPort(a, files, nodePortRules); p != 0 {
		m.Signals = append(m.Signals, sig)
		return p
	}
	return def
}

// nodeClientApp names the desktop or mobile runtime a package is built
// for (electron, react-native), or "".
func nodeClientApp(pkg *packageJSON) string {
	for _, n := range []string{"electron", "react-native"} {
		if pkg.has(n) {
			return n
		}
	}
	return ""
}

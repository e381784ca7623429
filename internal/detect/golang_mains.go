package detect

import (
	"path"
	"strings"

	"golang.org/x/mod/module"
)

// goMain is a main package of a module.
type goMain struct {
	dir    string // app-relative, "." for the module root
	name   string
	server bool
	worker bool
	files  []string
}

// goPackageClause returns the package name of a Go file and whether a
// build constraint excludes it ("//go:build ignore" marks generators run
// with go run). Only the header is read: a regexp over whole generated
// files was the slowest part of detection on large modules. Lines inside a
// /* */ block comment are skipped: package docs (labstack/echo's echo.go)
// show an example "package main" there.
func goPackageClause(src string) (string, bool) {
	ignored, inBlock := false, false
	for src != "" {
		var line string
		line, src, _ = strings.Cut(src, "\n")
		t := strings.TrimSpace(line)
		if inBlock {
			if _, after, ok := strings.Cut(t, "*/"); ok {
				inBlock, t = false, strings.TrimSpace(after)
			} else {
				continue
			}
		}
		if strings.HasPrefix(t, "/*") {
			if _, after, ok := strings.Cut(t[2:], "*/"); ok {
				t = strings.TrimSpace(after)
			} else {
				inBlock = true
				continue
			}
		}
		switch {
		case strings.HasPrefix(t, "//go:build ") || strings.HasPrefix(t, "// +build "):
			ignored = ignored || strings.Contains(t, "ignore")
		case strings.HasPrefix(t, "package "):
			return strings.Fields(t)[1], ignored
		}
	}
	return "", ignored
}

// goServerMarks in a main package mean it serves network traffic. Importing
// net/http is not one (CLIs such as rakyll/hey are HTTP clients).
var goServerMarks = []string{"ListenAndServe", "http.Serve(", "http.Server{", "grpc.NewServer", "net.Listen"}

// goFrameworkServerMarks are the generic method names frameworks start
// servers with; they count only in a main that imports the framework
// (hey's w.Run() runs a load test, gin's r.Run() serves).
var goFrameworkServerMarks = []struct{ imp, call string }{
	{"github.com/gin-gonic/gin", ".Run("},
	{"github.com/labstack/echo", ".Start("},
	{"github.com/gofiber/fiber", ".Listen("},
	{"github.com/beego/beego", ".Run("},
	{"github.com/gobuffalo/buffalo", ".Serve("},
}

var goImportRe = lazyRegexp(`"([\w./-]+)"`)

// goImportsServer reports whether a package of this module that the main
// imports directly starts a server: thin mains (cmd/api calling
// internal/server.Run, kube-apiserver calling its app package) serve
// through them.
func goImportsServer(a *App, body, modPath string) bool {
	if modPath == "" {
		return false
	}
	for _, m := range goImportRe.FindAllStringSubmatch(body, -1) {
		rel, ok := strings.CutPrefix(m[1], modPath+"/")
		if !ok {
			continue
		}
		for _, e := range a.List(rel) {
			if strings.HasSuffix(e, ".go") && !strings.HasSuffix(e, "_test.go") && goStartsServer(a.Source(join(rel, e))) {
				return true
			}
		}
	}
	return false
}

// goServes reports whether a main package's source starts a server.
func goServes(body string) bool {
	if containsAny(body, goServerMarks) {
		return true
	}
	for _, m := range goFrameworkServerMarks {
		if strings.Contains(body, m.imp) && strings.Contains(body, m.call) {
			return true
		}
	}
	return false
}

// goToolNames are main packages that are tools, not services.
var goToolNames = []string{"migrate", "migration", "gen", "generate", "codegen", "cli", "tool", "tools", "seed", "admin", "ctl", "lint",
	"test", "testsetup", "testing", "example", "examples", "demo", "bench", "benchmark", "internal"}

// findGoMains finds main packages at the module root, under cmd/ and one
// level down (server/, api/...), skipping tests and examples.
func findGoMains(a *App, modPath string) []goMain {
	dirs := []string{"."}
	for _, e := range a.List(".") {
		if strings.HasSuffix(e, "/") && !notApps[strings.TrimSuffix(e, "/")] {
			dirs = append(dirs, strings.TrimSuffix(e, "/"))
		}
	}
	for _, e := range a.List("cmd") {
		if strings.HasSuffix(e, "/") {
			dirs = append(dirs, "cmd/"+strings.TrimSuffix(e, "/"))
		}
	}
	var out []goMain
	for _, d := range dirs {
		if g, ok := readGoMain(a, d, modPath); ok {
			out = append(out, g)
		}
	}
	return out
}

func readGoMain(a *App, dir, modPath string) (goMain, bool) {
	g := goMain{dir: dir, name: path.Base(dir)}
	isMain := false
	var src strings.Builder
	for _, e := range a.List(dir) {
		if !strings.HasSuffix(e, ".go") || strings.HasSuffix(e, "_test.go") {
			continue
		}
		f := join(dir, e)
		s := a.Source(f)
		if pkg, ignored := goPackageClause(s); pkg == "main" && !ignored {
			isMain = true
			g.files = append(g.files, f)
			src.WriteString(s)
		}
	}
	if !isMain {
		return g, false
	}
	body := src.String()
	g.server = goServes(body) || goImportsServer(a, body, modPath)
	g.worker = containsAny(g.name, []string{"worker", "consumer", "scheduler", "jobs", "queue", "cron"})
	if g.worker {
		g.server = false
	}
	return g, true
}

func isGoTool(name string) bool {
	// promtool, etcdctl, kubectl, protoc-gen-go, genman: command-line
	// companions and generators.
	if strings.HasSuffix(name, "tool") || strings.HasSuffix(name, "ctl") || strings.HasPrefix(name, "protoc-gen-") || strings.HasPrefix(name, "gen") {
		return true
	}
	for _, t := range goToolNames {
		if name == t || strings.HasSuffix(name, "-"+t) || strings.HasPrefix(name, t+"-") || strings.HasPrefix(name, t) && len(t) >= 4 {
			return true
		}
	}
	return false
}

var goPortRules = []portRule{
	rule("a PORT default", `Getenv\(\s*"PORT"\s*\)\s*,\s*"(\d{2,5})"`),
	rule("a PORT default", `env:"PORT"[^`+"`"+`]*envDefault:"(\d{2,5})"`),
	rule("a port fallback", `(?i)\bport\s*(?::=|=)\s*"(\d{2,5})"`),
	// An env helper's fallback: getEnv("HTTP_PORT", "8081"), envOr("PORT", "8081").
	rule("a PORT default", `\w+\(\s*"[A-Z0-9_]*PORT"\s*,\s*"(\d{2,5})"\s*\)`),
	// A port flag's default: flag.Int("port", 9090, ...), IntVar(&p, "port", 9090, ...).
	rule("a port flag default", `flag\.(?:Int|Uint|IntVar|UintVar)\([^)]*?"(?:[\w-]*port|p)"\s*,\s*(\d{2,5})\s*,`),
	// A numeric port constant or variable: const port = 8000, port := 8000.
	rule("a port constant", `(?im)\b(?:http|listen|server|app)?port\s*(?::=|=)\s*(\d{2,5})\s*$`),
	rule("a port default", `SetDefault\(\s*"[\w.]*[pP]ort"\s*,\s*"?(\d{2,5})`),
	rule("a listen address", `Listen\(\s*"tcp\d?"\s*,\s*"(?:0\.0\.0\.0)?:(\d{2,5})"`),
	rule("a listen address", `(?:ListenAndServe|Listen|Run|Start|Addr:)\(?\s*"(?:0\.0\.0\.0)?:(\d{2,5})"`),
	// Last: a bare ":9000" passed along (server.Run(ctx, ":9000")) is a
	// listen address; "host:port" strings of clients are not matched.
	rule("a listen address", `"(?:0\.0\.0\.0)?:(\d{2,5})"`),
}

// goServices turns the main packages into the service (and extra
// services when there are several servers or workers).
func goServices(a *App, m *Match, mains []goMain) {
	if len(mains) == 1 && !mains[0].server && !mains[0].worker && !isGoTool(mains[0].name) {
		// A thin main (cmd/x calling into internal/...) still serves when
		// the module does; the package that listens is the evidence.
		if f := goModuleServer(a); f != "" {
			mains[0].server = true
			mains[0].files = append(mains[0].files, f)
			m.Signals = append(m.Signals, a.Path(f)+" starts a server")
		}
	}
	var keep []goMain
	for _, g := range mains {
		switch {
		case isGoTool(g.name):
			m.Signals = append(m.Signals, a.Path(g.dir)+" is a tool, not a service")
		case g.server || g.worker:
			keep = append(keep, g)
		case len(mains) == 1:
			keep = append(keep, g)
		default:
			m.Signals = append(m.Signals, a.Path(g.dir)+" serves nothing: treated as a tool")
		}
	}
	if len(keep) == 0 {
		m.Signals = append(m.Signals, "no main package: a library module")
		return
	}
	m.Deployable, m.Score = true, scoreRunnable
	if m.Framework != "go" {
		m.Score = scoreFramework
	}
	base := goName(m.PackageName)
	if m.PackageName == "" {
		// go.mod could not be read: the binary's name is ours to choose.
		base = "app"
	}
	for i, g := range keep {
		s := goService(a, m, g, base, len(keep) > 1)
		if i == 0 {
			if len(keep) > 1 {
				m.PackageName = s.Name
			}
			m.Type, m.BuildCommand, m.StartCommand, m.Port = s.Type, s.BuildCommand, s.StartCommand, s.Port
			m.Signals = append(m.Signals, s.Signals...)
			continue
		}
		s.Name = "=" + s.Name
		m.Extra = append(m.Extra, s)
	}
}

// goName is the last element of a module path without its major-version
// suffix (github.com/acme/api/v2 and gopkg.in/api.v2 are both "api").
func goName(modPath string) string {
	if prefix, _, ok := module.SplitPathVersion(modPath); ok && prefix != "" {
		modPath = prefix
	}
	return path.Base(modPath)
}

func goService(a *App, m *Match, g goMain, base string, several bool) Service {
	name := g.name
	if g.dir == "." || !several {
		name = base
	}
	pkg := "./" + g.dir
	if g.dir == "." {
		pkg = "."
	}
	if a.Workspace != nil && a.Workspace.Root != a.Dir {
		pkg = "./" + a.Path(g.dir)
	}
	s := Service{Name: name, BuildCommand: "go build -o bin/" + name + " " + pkg, StartCommand: "./bin/" + name}
	s.Signals = []string{"main package " + a.Path(g.dir)}
	if !g.server {
		s.Type, s.Framework = "worker", "go"
		s.Signals = append(s.Signals, a.Path(g.dir)+" opens no port: a worker")
		return s
	}
	s.Type = "api"
	if m.Framework != "grpc" && a.HasDir("templates") || containsAny(a.ReadString(g.files[0]), []string{"html/template", "LoadHTMLGlob(", "LoadHTMLFiles("}) {
		s.Type = "web"
	}
	s.Port = 8080
	if m.Framework == "fiber" {
		s.Port = 3000
	}
	if m.Framework == "grpc" {
		s.Port = 50051
	}
	files := append([]string{}, g.files...)
	files = append(files, a.FilesWithExt("internal", 30, ".go")...)
	files = append(files, a.FilesWithExt("config", 10, ".go")...)
	if p, sig := scanPort(a, files, goPortRules); p != 0 {
		s.Port = p
		s.Signals = append(s.Signals, sig)
	}
	if dirs := diskDirs(a, files, "//go:embed "); len(dirs) > 0 {
		s.Signals = append(s.Signals, "reads "+strings.Join(dirs, ", ")+" from disk at run time")
	}
	return s
}

// goServerCodeRe finds code (not a comment or string) that starts a
// network server.
var goServerCodeRe = lazyRegexp(`(?m)^[^"/\n]*(?:ListenAndServe(?:TLS)?\(|&?http\.Server\{|grpc\.NewServer\(|net\.Listen\()`)

// goModuleServer returns the first non-test Go file of the module that
// starts a server, or "".
func goModuleServer(a *App) string {
	found, n := "", 0
	a.ix.Walk(a.Dir, []string{".go"}, func(p string) bool {
		n++
		if !strings.HasSuffix(p, "_test.go") && goStartsServer(a.ix.Source(p)) {
			found = p
			return false
		}
		return n < 300
	})
	if a.Dir != "." {
		found = strings.TrimPrefix(found, a.Dir+"/")
	}
	return found
}

// goStartsServer runs the line-anchored regexp only on files that contain
// a marker at all: most files do not, and the regexp is the slow part.
func goStartsServer(src string) bool {
	return containsAny(src, []string{"ListenAndServe", "http.Server{", "grpc.NewServer(", "net.Listen("}) && goServerCodeRe.MatchString(src)
}

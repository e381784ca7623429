package detect

import (
	"fmt"
	"regexp"
	"strings"
)

// pyFramework is one entry of the Python framework registry; detect fills
// the match and reports whether the framework applies.
type pyFramework struct {
	slug   string
	deps   []string
	detect func(p *pyApp) bool
}

var pyFrameworks = []pyFramework{
	{slug: "django", deps: []string{"django"}, detect: pyDjango},
	{slug: "fastapi", deps: []string{"fastapi"}, detect: pyASGI("fastapi", `FastAPI\(`, "api")},
	{slug: "litestar", deps: []string{"litestar"}, detect: pyASGI("litestar", `Litestar\(`, "api")},
	{slug: "quart", deps: []string{"quart"}, detect: pyASGI("quart", `Quart\(`, "web")},
	{slug: "dash", deps: []string{"dash"}, detect: pyDash},
	{slug: "gradio", deps: []string{"gradio"}, detect: pyGradio},
	{slug: "flask", deps: []string{"flask"}, detect: pyFlask},
	{slug: "sanic", deps: []string{"sanic"}, detect: pySanic},
	{slug: "streamlit", deps: []string{"streamlit"}, detect: pyStreamlit},
	{slug: "tornado", deps: []string{"tornado"}, detect: pyTornado},
	{slug: "aiohttp", deps: []string{"aiohttp"}, detect: pyAiohttp},
	{slug: "grpc", deps: []string{"grpcio"}, detect: pyGRPC},
	{slug: "mkdocs", deps: []string{"mkdocs", "mkdocs-material"}, detect: pyMkDocs},
	{slug: "celery", deps: []string{"celery"}, detect: pyCeleryOnly},
}

// matchPyFramework applies the first framework whose dependency is present
// and whose entry point is found.
func matchPyFramework(p *pyApp) bool {
	for _, f := range pyFrameworks {
		if !p.deps.has(f.deps...) && !(f.slug == "django" && p.a.Has("manage.py")) && !(f.slug == "mkdocs" && p.a.Has("mkdocs.yml")) {
			continue
		}
		if f.detect(p) {
			p.m.Framework, p.m.Score, p.m.Deployable = f.slug, scoreFramework, true
			if f.slug != "celery" {
				pyCeleryWorker(p)
			}
			return true
		}
	}
	return false
}

// pyFiles lists the Python files to search for an app object: the usual
// entry modules first, then the rest of the tree (tests excluded).
func pyFiles(a *App) []string {
	out := []string{}
	for _, f := range []string{"wsgi.py", "asgi.py", "app.py", "main.py", "application.py", "server.py", "run.py", "api.py", "streamlit_app.py", "Home.py", "app/main.py", "app/__init__.py", "src/main.py", "src/app.py"} {
		if a.Has(f) {
			out = append(out, f)
		}
	}
	seen := map[string]bool{}
	for _, f := range out {
		seen[f] = true
	}
	for _, f := range a.FilesWithExt(".", 80, ".py") {
		if !seen[f] && !strings.Contains(f, "test") && !strings.Contains(f, "migrations/") && strings.Count(f, "/") <= 3 {
			out = append(out, f)
		}
	}
	return out
}

// pyModule turns a file path into a module path and the directory to run
// from ("src" for a src layout).
func pyModule(file string) (mod, chdir string) {
	mod = strings.TrimSuffix(strings.TrimSuffix(file, ".py"), "/__init__")
	if rest, ok := strings.CutPrefix(mod, "src/"); ok {
		mod, chdir = rest, "src"
	}
	return strings.ReplaceAll(mod, "/", "."), chdir
}

// findPyObject finds "name = Ctor(" in the app's files and returns the
// "module:name" reference a WSGI/ASGI server needs.
func findPyObject(a *App, ctor string) (ref, chdir, file string) {
	re := regexp.MustCompile(`(?m)^(\w+)\s*(?::\s*\w+\s*)?=\s*` + ctor)
	factory := regexp.MustCompile(`(?m)^def (create_app|make_app|get_app)\(`)
	for _, f := range pyFiles(a) {
		src := a.Source(f)
		if m := re.FindStringSubmatch(src); m != nil {
			mod, dir := pyModule(f)
			return mod + ":" + m[1], dir, f
		}
		if strings.Contains(src, strings.TrimSuffix(ctor, `\(`)+"(") {
			if m := factory.FindStringSubmatch(src); m != nil {
				mod, dir := pyModule(f)
				return mod + ":" + m[1] + "()", dir, f
			}
		}
	}
	return "", "", ""
}

var pyPortRules = []portRule{
	rule("a PORT default", `(?:environ\.get|getenv)\(\s*['"]PORT['"]\s*,\s*['"]?(\d{2,5})`),
	rule("run(port=)", `\.run\([^)]*\bport\s*=\s*(\d{2,5})`),
	rule("run_app(port=)", `run_app\([^)]*\bport\s*=\s*(\d{2,5})`),
	rule("listen()", `\.listen\(\s*(\d{2,5})`),
}

// pyPort is the port the source states, else def.
func pyPort(p *pyApp, file string, def int) int {
	files := []string{}
	if file != "" {
		files = append(files, file)
	}
	if port, sig := scanPort(p.a, append(files, pyFiles(p.a)...), pyPortRules); port != 0 {
		p.m.Signals = append(p.m.Signals, sig)
		return port
	}
	return def
}

func chdirFlag(server, dir string) string {
	if dir == "" {
		return ""
	}
	switch server {
	case "uvicorn":
		return " --app-dir " + dir
	}
	return " --chdir " + dir
}

// pyASGI detects an ASGI framework whose app object is built by ctor and
// serves it with uvicorn (hypercorn when that is the dependency).
func pyASGI(slug, ctor, typ string) func(p *pyApp) bool {
	return func(p *pyApp) bool {
		ref, dir, file := findPyObject(p.a, ctor)
		if ref == "" {
			p.m.Signals = append(p.m.Signals, "depends on "+slug+" but no "+strings.TrimSuffix(ctor, `\(`)+"() app object was found")
			return false
		}
		port := pyPort(p, file, 8000)
		p.m.Type, p.m.Port = typ, port
		p.m.StartCommand = fmt.Sprintf("uvicorn %s --host 0.0.0.0 --port %d%s", ref, port, chdirFlag("uvicorn", dir))
		if p.deps.has("hypercorn") && !p.deps.has("uvicorn") {
			p.m.StartCommand = fmt.Sprintf("hypercorn %s --bind 0.0.0.0:%d", ref, port)
			if dir != "" {
				p.m.StartCommand = "cd " + dir + " && " + p.m.StartCommand
			}
		}
		p.m.Signals = append(p.m.Signals, "depends on "+slug, "ASGI app "+ref+" in "+p.a.Path(file))
		if typ == "api" {
			if f, what := pyRendersHTML(p.a); f != "" {
				p.m.Type = "web"
				p.m.Signals = append(p.m.Signals, p.a.Path(f)+" renders HTML pages ("+what+"): a web app")
			}
		}
		if strings.HasPrefix(p.m.StartCommand, "uvicorn ") && !p.deps.has(slug+"[standard]", slug+"[all]") {
			// fastapi[standard] brings uvicorn; plain fastapi does not.
			p.needsServer("uvicorn")
		}
		return true
	}
}

func pyFlask(p *pyApp) bool {
	ref, dir, file := findPyObject(p.a, `Flask\(`)
	if ref == "" {
		p.m.Signals = append(p.m.Signals, "depends on flask but no Flask() app object was found")
		return false
	}
	port := pyPort(p, file, 5000)
	p.m.Type, p.m.Port = "web", port
	worker := ""
	if p.deps.has("flask-socketio") {
		worker = " --worker-class eventlet -w 1"
		p.m.Signals = append(p.m.Signals, "flask-socketio: one eventlet worker (WebSockets need a single process)")
	}
	p.m.StartCommand = fmt.Sprintf("gunicorn%s --bind 0.0.0.0:%d%s %s", worker, port, chdirFlag("gunicorn", dir), quoteFactory(ref))
	p.m.Signals = append(p.m.Signals, "depends on flask", "WSGI app "+ref+" in "+p.a.Path(file))
	p.needsServer("gunicorn")
	return true
}

// quoteFactory quotes an app-factory reference for the shell.
func quoteFactory(ref string) string {
	if strings.HasSuffix(ref, "()") {
		return `"` + ref + `"`
	}
	return ref
}

// needsServer notes when the production server is not a dependency.
func (p *pyApp) needsServer(name string) {
	if !p.deps.has(name) {
		p.m.Signals = append(p.m.Signals, name+" is not in the dependencies: add it for production")
	}
}

func pySanic(p *pyApp) bool {
	ref, dir, file := findPyObject(p.a, `Sanic\(`)
	if ref == "" {
		return false
	}
	port := pyPort(p, file, 8000)
	p.m.Type, p.m.Port = "api", port
	mod, name, _ := strings.Cut(ref, ":")
	p.m.StartCommand = fmt.Sprintf("sanic %s.%s --host 0.0.0.0 --port %d", mod, name, port)
	if dir != "" {
		p.m.StartCommand = "cd " + dir + " && " + p.m.StartCommand
	}
	p.m.Signals = append(p.m.Signals, "depends on sanic", "Sanic app "+ref+" in "+p.a.Path(file))
	return true
}

func pyStreamlit(p *pyApp) bool {
	for _, f := range pyFiles(p.a) {
		if strings.Contains(p.a.ReadString(f), "import streamlit") {
			p.m.Type, p.m.Port = "web", 8501
			p.m.StartCommand = "streamlit run " + f + " --server.port 8501 --server.address 0.0.0.0 --server.headless true"
			p.m.HealthCheckPath = "/_stcore/health"
			p.m.Signals = append(p.m.Signals, "depends on streamlit", "Streamlit script "+p.a.Path(f))
			return true
		}
	}
	return false
}

func pyTornado(p *pyApp) bool {
	for _, f := range pyFiles(p.a) {
		src := p.a.ReadString(f)
		if strings.Contains(src, "tornado.web") && strings.Contains(src, "__main__") {
			p.m.Type, p.m.Port = "web", pyPort(p, f, 8888)
			p.m.StartCommand = "python " + f
			p.m.Signals = append(p.m.Signals, "depends on tornado", "Tornado entry point "+p.a.Path(f))
			return true
		}
	}
	return false
}

var mkdocsSiteDirRe = lazyRegexp(`(?m)^site_dir:\s*['"]?([\w./-]+)`)

func pyMkDocs(p *pyApp) bool {
	cfg, ok := p.a.Read("mkdocs.yml")
	if !ok {
		return false
	}
	p.m.Type, p.m.Port, p.m.OutputDir = "static", 8080, "site"
	if m := mkdocsSiteDirRe.FindSubmatch(cfg); m != nil {
		p.m.OutputDir = string(m[1])
	}
	p.m.BuildCommand = "mkdocs build"
	p.m.Signals = append(p.m.Signals, "mkdocs.yml present: static documentation site")
	return true
}

var celeryAppRe = lazyRegexp(`(?m)^(\w+)\s*=\s*Celery\(`)

// findCelery returns the module holding the Celery app, for "celery -A".
func findCelery(a *App) string {
	for _, f := range pyFiles(a) {
		if celeryAppRe.MatchString(a.ReadString(f)) {
			mod, _ := pyModule(f)
			return strings.TrimSuffix(mod, ".celery")
		}
	}
	return ""
}

// pyCeleryOnly is a Celery app with no web framework: a worker.
func pyCeleryOnly(p *pyApp) bool {
	mod := findCelery(p.a)
	if mod == "" {
		return false
	}
	p.m.Type = "worker"
	p.m.StartCommand = "celery -A " + mod + " worker --loglevel=info"
	p.m.Signals = append(p.m.Signals, "depends on celery", "Celery app in module "+mod+": a worker")
	return true
}

// pyCeleryWorker adds a worker service beside a web app that defines a
// Celery app, and a beat scheduler when django-celery-beat is used.
func pyCeleryWorker(p *pyApp) {
	if !p.deps.has("celery") {
		return
	}
	mod := findCelery(p.a)
	if mod == "" {
		return
	}
	p.m.Extra = append(p.m.Extra, Service{Name: "worker", Type: "worker", Framework: "celery",
		StartCommand: "celery -A " + mod + " worker --loglevel=info",
		Signals:      []string{"Celery app in module " + mod + ": a worker beside the web app"}})
	if p.deps.has("django-celery-beat", "celery-redbeat") {
		p.m.Extra = append(p.m.Extra, Service{Name: "beat", Type: "worker", Framework: "celery",
			StartCommand: "celery -A " + mod + " beat --loglevel=info",
			Signals:      []string{"celery beat scheduler (exactly one replica)"}})
	}
}

// pyPlain handles Python with no recognised framework: a script with a
// __main__ guard is runnable; anything else is a library.
func pyPlain(p *pyApp) {
	p.m.Framework, p.m.Score = "python", scoreManifest
	for _, f := range []string{"main.py", "app.py", "server.py", "bot.py", "worker.py", "run.py", "__main__.py"} {
		src, ok := p.a.Read(f)
		if !ok || !strings.Contains(string(src), "__main__") && f != "__main__.py" {
			continue
		}
		p.m.StartCommand, p.m.Score, p.m.Deployable = "python "+f, scoreRunnable, true
		p.m.Type = "worker"
		if port, sig := scanPort(p.a, []string{f}, pyPortRules); port != 0 || strings.Contains(string(src), "serve_forever") {
			p.m.Type, p.m.Port = "web", orPort(port, 8000)
			if sig != "" {
				p.m.Signals = append(p.m.Signals, sig)
			}
		} else {
			p.m.Signals = append(p.m.Signals, f+" opens no port: a worker")
		}
		p.m.Signals = append(p.m.Signals, "entry point "+p.a.Path(f))
		return
	}
	p.m.Signals = append(p.m.Signals, "Python manifest without a recognised framework or entry point")
}

func orPort(p, def int) int {
	if p == 0 {
		return def
	}
	return p
}

// pyHTMLRe finds an API framework rendering HTML pages: Jinja2 templates
// (Starlette/FastAPI Jinja2Templates, Litestar's TemplateConfig) or
// handlers answering with HTMLResponse, or a bundled SPA mounted with
// StaticFiles(html=True). Such an app serves a user
// interface, whatever JSON routes it also has, so it is typed web.
var pyHTMLRe = lazyRegexp(`\b(Jinja2Templates|TemplateResponse|HTMLResponse|TemplateConfig)\b|StaticFiles\([^)]*html\s*=\s*True`)

// pyRendersHTML returns the first Python file of the app that renders
// HTML and what it uses, or "".
func pyRendersHTML(a *App) (file, what string) {
	for _, f := range pyFiles(a) {
		if m := pyHTMLRe.FindString(a.Source(f)); m != "" {
			return f, m
		}
	}
	return "", ""
}

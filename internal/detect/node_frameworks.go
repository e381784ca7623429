package detect

import (
	"regexp"
	"strconv"
	"strings"
)

// nodeFramework is one entry of the Node.js framework registry. The first
// entry whose dependency is present wins, so meta-frameworks (Next.js,
// Nuxt...) come before the servers and bundlers they are built on.
type nodeFramework struct {
	slug   string
	deps   []string
	typ    string // web|api|static
	port   int    // default port when the code states none
	out    string // output directory of a static build
	start  string // start command when package.json has no start script
	build  string // build command when package.json has no build script
	refine func(f *nodeFramework, a *App, pkg *packageJSON, m *Match)
	// preferStart runs start even when package.json has a start script.
	preferStart bool
}

var nodeFrameworks = []nodeFramework{
	{slug: "nextjs", deps: []string{"next"}, typ: "web", port: 3000, refine: refineNext},
	{slug: "nuxt", deps: []string{"nuxt", "nuxt3"}, typ: "web", port: 3000, start: "node .output/server/index.mjs", refine: refineNuxt},
	{slug: "remix", deps: []string{"@remix-run/node", "@remix-run/serve", "@remix-run/express"}, typ: "web", port: 3000},
	{slug: "react-router", deps: []string{"@react-router/dev", "@react-router/serve"}, typ: "web", port: 3000},
	{slug: "sveltekit", deps: []string{"@sveltejs/kit"}, typ: "web", port: 3000, start: "node build", refine: refineSvelteKit},
	{slug: "solidstart", deps: []string{"@solidjs/start", "solid-start"}, typ: "web", port: 3000, start: "node .output/server/index.mjs"},
	{slug: "qwik", deps: []string{"@builder.io/qwik-city"}, typ: "static", out: "dist", refine: refineQwik},
	{slug: "astro", deps: []string{"astro"}, typ: "static", out: "dist", refine: refineAstro},
	{slug: "gatsby", deps: []string{"gatsby"}, typ: "static", out: "public"},
	{slug: "docusaurus", deps: []string{"@docusaurus/core"}, typ: "static", out: "build"},
	{slug: "vitepress", deps: []string{"vitepress"}, typ: "static", out: ".vitepress/dist", refine: refineVitePress},
	{slug: "angular", deps: []string{"@angular/core"}, typ: "static", refine: refineAngular},
	{slug: "vue-cli", deps: []string{"@vue/cli-service"}, typ: "static", out: "dist"},
	{slug: "create-react-app", deps: []string{"react-scripts"}, typ: "static", out: "build"},
	{slug: "eleventy", deps: []string{"@11ty/eleventy"}, typ: "static", out: "_site"},
	{slug: "hexo", deps: []string{"hexo"}, typ: "static", out: "public"},
	{slug: "redwood", deps: []string{"@redwoodjs/core"}, typ: "web", port: 8910, build: "yarn rw build", start: "yarn rw serve", refine: refineRedwood},
	{slug: "strapi", deps: []string{"@strapi/strapi"}, typ: "web", port: 1337, start: "npx strapi start"},
	{slug: "nestjs", deps: []string{"@nestjs/core"}, typ: "api", port: 3000, start: "node dist/main"},
	{slug: "adonisjs", deps: []string{"@adonisjs/core"}, typ: "web", port: 3333, start: "node build/bin/server.js", preferStart: true},
	{slug: "nitro", deps: []string{"nitropack", "nitro"}, typ: "api", port: 3000, start: "node .output/server/index.mjs"},
	{slug: "elysia", deps: []string{"elysia"}, typ: "api", port: 3000},
	{slug: "hono", deps: []string{"hono"}, typ: "api", port: 3000},
	{slug: "fastify", deps: []string{"fastify"}, typ: "api", port: 3000},
	{slug: "koa", deps: []string{"koa"}, typ: "api", port: 3000},
	{slug: "hapi", deps: []string{"@hapi/hapi", "hapi"}, typ: "api", port: 3000},
	{slug: "express", deps: []string{"express"}, typ: "api", port: 3000, refine: refineExpress},
	{slug: "vite", deps: []string{"vite"}, typ: "static", out: "dist"},
}

// matchNodeFramework returns a copy of the first framework the package
// depends on, or nil.
func matchNodeFramework(a *App, pkg *packageJSON) *nodeFramework {
	for _, f := range nodeFrameworks {
		for _, d := range f.deps {
			if pkg.has(d) {
				out := f
				out.deps = []string{d}
				return &out
			}
		}
	}
	return nil
}

// apply fills the match from the framework and the package's scripts.
func (f nodeFramework) apply(m *Match, a *App, pkg *packageJSON, run nodeRunner) {
	m.Framework, m.Score, m.Deployable = f.slug, scoreFramework, true
	m.Signals = append(m.Signals, "package.json depends on "+f.deps[0])
	if f.refine != nil {
		f.refine(&f, a, pkg, m)
	}
	m.Type = f.typ
	m.BuildCommand = run.script("build")
	if m.BuildCommand == "" {
		m.BuildCommand = f.build
	}
	if f.typ == "static" {
		m.OutputDir = f.out
		m.Port = 8080
		m.Signals = append(m.Signals, "static build in "+f.out+", served by a web server on 8080")
		return
	}
	run.preferDefault = f.preferStart
	start, entry := run.start(f.start)
	m.StartCommand = run.envFileStart(m, start)
	m.Port = nodePort(m, a, pkg, entry, f.port)
	if m.Type == "api" {
		if why := nodeServesHTML(a, pkg, entry); why != "" {
			m.Type = "web"
			m.Signals = append(m.Signals, why+": a web app")
		}
	}
	applyFileHealthRoute(a, m)
}

// nodeViewEngines render HTML pages on the server, whatever the framework.
var nodeViewEngines = []string{"ejs", "pug", "hbs", "handlebars", "express-handlebars", "nunjucks", "eta", "mustache",
	"@fastify/view", "point-of-view", "koa-views", "@nestjs/serve-static", "express-react-views"}

// nodeServesHTML says why a Node server framework app is a web app rather
// than an API: a view engine, or an index.html it serves from a static
// directory (a bundled SPA behind the API). "" when neither.
func nodeServesHTML(a *App, pkg *packageJSON, entry string) string {
	for _, v := range nodeViewEngines {
		if pkg.has(v) {
			return "package.json depends on " + v
		}
	}
	if entry == "" {
		return ""
	}
	src := a.Source(entry)
	if !containsAny(src, []string{"express.static(", "@fastify/static", "serveStatic(", "koa-static", ".sendFile("}) {
		return ""
	}
	for _, f := range []string{"public/index.html", "static/index.html", "client/dist/index.html", "dist/index.html", "build/index.html"} {
		if a.Has(f) {
			return a.Path(entry) + " serves " + a.Path(f)
		}
	}
	if strings.Contains(src, "index.html") {
		return a.Path(entry) + " serves index.html"
	}
	return ""
}

var (
	nextExportRe     = lazyRegexp(`output\s*:\s*['"]export['"]`)
	nextStandaloneRe = lazyRegexp(`output\s*:\s*['"]standalone['"]`)
)

func refineNext(f *nodeFramework, a *App, pkg *packageJSON, m *Match) {
	cfgName := a.First("next.config.js", "next.config.mjs", "next.config.ts", "next.config.cjs")
	cfg := a.ReadString(cfgName)
	switch {
	case nextExportRe.MatchString(cfg):
		f.typ, f.out = "static", "out"
		m.Signals = append(m.Signals, cfgName+" sets output: 'export' (static export)")
	case nextStandaloneRe.MatchString(cfg):
		m.Signals = append(m.Signals, cfgName+" sets output: 'standalone'")
		if a.Workspace == nil {
			f.start = "node .next/standalone/server.js"
			delete(pkg.Scripts, "start")
		}
	}
}

func refineNuxt(f *nodeFramework, a *App, pkg *packageJSON, m *Match) {
	cfg := a.ReadString(a.First("nuxt.config.ts", "nuxt.config.js"))
	if strings.Contains(pkg.Scripts["build"], "nuxt generate") || regexp.MustCompile(`ssr\s*:\s*false`).MatchString(cfg) {
		f.typ, f.out = "static", ".output/public"
		m.Signals = append(m.Signals, "nuxt generate / ssr: false: static site")
	}
	if strings.HasPrefix(strings.TrimLeft(pkg.version("nuxt"), "^~"), "2") {
		f.start = "npx nuxt start"
	}
}

func refineSvelteKit(f *nodeFramework, _ *App, pkg *packageJSON, m *Match) {
	switch {
	case pkg.has("@sveltejs/adapter-static"):
		f.typ, f.out = "static", "build"
		m.Signals = append(m.Signals, "@sveltejs/adapter-static: static site")
	case pkg.has("@sveltejs/adapter-node"):
		m.Signals = append(m.Signals, "@sveltejs/adapter-node: Node server in build/")
	default:
		m.Signals = append(m.Signals, "no Node adapter (adapter-auto): install @sveltejs/adapter-node to run in a container")
	}
}

func refineAstro(f *nodeFramework, a *App, pkg *packageJSON, m *Match) {
	if pkg.has("@astrojs/node") {
		f.typ, f.port, f.start = "web", 4321, "node ./dist/server/entry.mjs"
		m.Signals = append(m.Signals, "@astrojs/node adapter: server output")
	}
}

func refineQwik(f *nodeFramework, a *App, _ *packageJSON, m *Match) {
	if a.HasDir("adapters/express") {
		f.typ, f.port, f.start = "web", 3000, "node server/entry.express"
		m.Signals = append(m.Signals, "Qwik City express adapter")
	}
}

var vitepressDirRe = lazyRegexp(`vitepress build\s+([\w./-]+)`)

func refineVitePress(f *nodeFramework, _ *App, pkg *packageJSON, _ *Match) {
	if m := vitepressDirRe.FindStringSubmatch(pkg.Scripts["build"]); m != nil {
		f.out = strings.TrimSuffix(m[1], "/") + "/.vitepress/dist"
	}
}

func refineExpress(f *nodeFramework, a *App, pkg *packageJSON, m *Match) {
	if a.Has("bin/www") {
		m.Signals = append(m.Signals, "express-generator layout (bin/www)")
		f.start = "node bin/www"
	}
	if a.HasDir("views") || pkg.has("ejs", "pug", "jade", "hbs", "express-handlebars") {
		f.typ = "web"
		m.Signals = append(m.Signals, "server-rendered views: a web app")
	}
}

var redwoodWebPortRe = lazyRegexp(`(?s)\[web\][^\[]*?\bport\s*=\s*(\d{2,5})`)

// refineRedwood reads the web side's port from redwood.toml: `yarn rw
// serve` runs the web side there and proxies the api side behind it, so
// the two workspaces are one service.
func refineRedwood(f *nodeFramework, a *App, _ *packageJSON, m *Match) {
	m.Signals = append(m.Signals, "redwood.toml: one Redwood app (web and api sides build and serve together)")
	if p := redwoodWebPortRe.FindStringSubmatch(a.ReadString("redwood.toml")); p != nil {
		if n, err := strconv.Atoi(p[1]); err == nil && n > 0 && n < 65536 {
			f.port = n
			m.Signals = append(m.Signals, "redwood.toml [web] port "+p[1])
		}
	}
}

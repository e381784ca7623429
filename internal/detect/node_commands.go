package detect

import (
	"strconv"
	"strings"
)

// nodeRunner writes package-manager commands for one package, using the
// workspace filter syntax when the package is a monorepo member (the
// commands then run from the workspace root).
type nodeRunner struct {
	pm  string
	pkg *packageJSON
	a   *App
	// preferDefault runs the framework's start command even when a start
	// script exists (AdonisJS's start script must run inside build/).
	preferDefault bool
}

func (r nodeRunner) member() bool {
	return r.a.Workspace != nil && r.a.Workspace.Root != r.a.Dir
}

// run returns the command that runs script name.
func (r nodeRunner) run(name string) string {
	if !r.member() {
		if name == "start" && r.pm != "bun" {
			return r.pm + " start"
		}
		return r.pm + " run " + name
	}
	ws, pkgName := r.a.Workspace, r.pkg.Name
	if pkgName == "" {
		pkgName = r.a.base()
	}
	if name == "build" && ws.Tool == "turbo" {
		return NodeExec(r.pm) + " turbo run build --filter=" + pkgName
	}
	if ws.Tool == "nx" {
		return "npx nx run " + pkgName + ":" + name
	}
	switch r.pm {
	case "pnpm":
		return "pnpm --filter " + pkgName + " run " + name
	case "yarn":
		return "yarn workspace " + pkgName + " run " + name
	case "bun":
		return "bun run --filter " + pkgName + " " + name
	}
	return "npm run " + name + " --workspace=" + r.a.Dir
}

// NodeExec is how package manager pm ("npm", "pnpm", "yarn", "bun") runs a
// binary from node_modules/.bin. It is exported because the Dockerfile
// generator writes the same commands into images: one switch keeps a
// detected build command and a generated RUN line from drifting apart.
func NodeExec(pm string) string {
	switch pm {
	case "pnpm":
		return "pnpm exec"
	case "yarn":
		return "yarn"
	case "bun":
		return "bunx"
	}
	return "npx"
}

// script returns the command for script name, or "" when undefined.
func (r nodeRunner) script(name string) string {
	if _, ok := r.pkg.Scripts[name]; !ok {
		return ""
	}
	return r.run(name)
}

// devServers mark a start script that runs a development server, which
// must not be what a production container runs.
var devServers = []string{"nodemon", "ts-node-dev", "next dev", "nuxt dev", "vite dev", "webpack serve", "--watch",
	"ng serve", "vue-cli-service serve", "react-scripts start", "gatsby develop", "astro dev", "docusaurus start", "remix dev", "vinxi dev"}

// start returns the production start command and the entry file it runs:
// start:prod, then start (unless it is a dev server), then the framework's
// own default def, then the main field or a conventional server file.
func (r nodeRunner) start(def string) (string, string) {
	s := r.pkg.Scripts
	if def != "" && r.preferDefault {
		return r.local(def), ""
	}
	if _, ok := s["start:prod"]; ok {
		return r.run("start:prod"), entryFile(r.a, r.pkg, s["start:prod"])
	}
	if st, ok := s["start"]; ok && !containsAny(st, devServers) {
		return r.run("start"), entryFile(r.a, r.pkg, st)
	}
	if def != "" {
		return r.local(def), ""
	}
	entry := entryFile(r.a, r.pkg, s["start"])
	if entry == "" {
		for _, f := range []string{"server.js", "server.mjs", "index.js", "app.js", "bin/www", "index.ts", "server.ts"} {
			if r.a.Has(f) {
				entry = f
				break
			}
		}
	}
	// Without a start script, a file is only an entry point when it serves
	// something: the main file of a library or a config package is not.
	if entry == "" || !nodeServes(r.a.ReadString(entry)) || r.pm != "bun" && strings.HasSuffix(entry, ".ts") {
		return "", ""
	}
	if r.pm == "bun" {
		return r.local("bun run " + entry), entry
	}
	return r.local("node " + entry), entry
}

// nodeServerMarks in a file mean it opens a port.
var nodeServerMarks = []string{"listen(", "Bun.serve(", "createServer(", "serve({", "Deno.serve("}

func nodeServes(src string) bool { return containsAny(src, nodeServerMarks) }

// local rewrites "node path" for a workspace member, whose commands run
// from the workspace root.
func (r nodeRunner) local(cmd string) string {
	if !r.member() {
		return cmd
	}
	f := strings.Fields(cmd)
	if len(f) >= 2 && (f[0] == "node" || f[0] == "bun") {
		i := len(f) - 1
		if f[0] == "bun" && f[1] == "run" {
			i = 2
		}
		f[i] = r.a.Dir + "/" + strings.TrimPrefix(f[i], "./")
	}
	return strings.Join(f, " ")
}

func containsAny(s string, subs []string) bool {
	for _, x := range subs {
		if strings.Contains(s, x) {
			return true
		}
	}
	return false
}

var envPortRe = lazyRegexp(`\bPORT=(\d{2,5})\b`)

// envPortInCommand finds "PORT=4000 node server.js" in a script.
func envPortInCommand(cmd string) int {
	m := envPortRe.FindStringSubmatch(cmd)
	if m == nil {
		return 0
	}
	p, _ := strconv.Atoi(m[1])
	return validPort(p)
}

// envFileStart rewrites a start command whose package.json script loads a
// .env file with node --env-file: .dockerignore keeps .env (secrets) out
// of the image, and node exits when the file is missing, so the container
// runs the node command itself without the flag; the variables come from
// the ConfigMap and Secret instead.
func (r nodeRunner) envFileStart(m *Match, start string) string {
	script := r.startScript(start)
	r.devToolStart(m, script)
	if !strings.Contains(script, "--env-file") {
		return start
	}
	f := strings.Fields(script)
	if f[0] != "node" || strings.ContainsAny(script, "&|;") {
		m.Signals = append(m.Signals, "the start script loads .env with --env-file, which is not in the image: set those variables in capsule.yaml instead")
		return start
	}
	var kept []string
	for i := 0; i < len(f); i++ {
		switch {
		case f[i] == "--env-file":
			i++ // and its value
		case strings.HasPrefix(f[i], "--env-file="):
		default:
			kept = append(kept, f[i])
		}
	}
	cmd := r.local(strings.Join(kept, " "))
	m.Signals = append(m.Signals, "the start script loads .env with --env-file, which is not in the image (node would exit): capsule runs "+cmd+" and the variables come from capsule.yaml env and secrets")
	return cmd
}

// startScript is the package.json script behind a start command, or "".
func (r nodeRunner) startScript(start string) string {
	for _, name := range []string{"start:prod", "start"} {
		if body, ok := r.pkg.Scripts[name]; ok && start == r.run(name) {
			return body
		}
	}
	return ""
}

// binPackages maps binaries start scripts run to the package providing
// them, where the names differ.
var binPackages = map[string]string{"babel-node": "@babel/node", "remix-serve": "@remix-run/serve",
	"react-router-serve": "@react-router/serve", "nuxi": "nuxt", "ng": "@angular/cli", "nest": "@nestjs/cli"}

// devToolStart notes a start script whose command comes from a
// devDependency (tsx, ts-node, next...): pruning development dependencies
// would leave the container without it, so the Dockerfile keeps them.
func (r nodeRunner) devToolStart(m *Match, script string) {
	f := strings.Fields(script)
	for len(f) > 0 && (f[0] == "npx" || f[0] == "exec" || strings.Contains(f[0], "=")) {
		f = f[1:] // npx tsx, NODE_ENV=production tsx
	}
	if len(f) == 0 {
		return
	}
	bin := f[0]
	for _, pkg := range []string{bin, binPackages[bin]} {
		if pkg == "" {
			continue
		}
		if _, dev := r.pkg.DevDependencies[pkg]; dev {
			if _, prod := r.pkg.Dependencies[pkg]; !prod {
				m.Signals = append(m.Signals, "the start script runs "+bin+", a devDependency: development dependencies stay in the image")
				return
			}
		}
	}
}

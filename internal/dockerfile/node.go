package dockerfile

import (
	"path"
	"strings"

	"github.com/usecapsule/capsule/internal/detect"
)

// spaFrameworks serve one index.html for every client-side route.
var spaFrameworks = map[string]bool{"vite": true, "create-react-app": true, "angular": true, "vue-cli": true, "solidstart": true, "qwik": true}

// spaFamily builds a JavaScript static site with Node and serves the output
// with nginx.
type spaFamily struct{}

func (spaFamily) Name() string { return "spa" }

func (spaFamily) Match(s detect.Service) bool {
	return s.Language == "javascript" && s.Type == "static"
}

func (spaFamily) Plan(s detect.Service) Plan {
	p := nodePlan(s)
	out := s.OutputDir
	if out == "" {
		out = "dist"
	}
	p.Port = 8080
	out = strings.TrimPrefix(strings.TrimSuffix(out, "/"), "./")
	if member(s) {
		// The build runs at the workspace root; the output is in the member.
		out = path.Join(memberDir(s), out)
	}
	p.Extra["OutputDir"] = out
	if spaFrameworks[s.Framework] {
		p.Extra["SPA"] = "true"
	}
	if p.Build == "" {
		p.Build = nodeRun(p.Extra["PM"]) + " build"
	}
	return p
}

// nodeFamily runs a Node.js server (any package manager, Next.js
// standalone when configured).
type nodeFamily struct{}

func (nodeFamily) Name() string { return "node" }

func (nodeFamily) Match(s detect.Service) bool { return s.Language == "javascript" }

func (nodeFamily) Plan(s detect.Service) Plan {
	p := nodePlan(s)
	if s.Framework == "nextjs" && hasSignal(s, "standalone") && !member(s) {
		p.Extra["Standalone"] = "true"
		p.Cmd = ExecForm("node server.js")
	}
	return p
}

func nodePlan(s detect.Service) Plan {
	pm := s.PackageManager
	if pm == "" {
		pm = "npm"
	}
	p := Plan{
		Service: s,
		Version: floatMajor(version(s.RuntimeVersion, "22")),
		Port:    s.Port,
		Build:   s.BuildCommand,
		Cmd:     cmdOr(s.StartCommand, nodeRun(pm)+" start"),
		Extra:   map[string]string{"PM": pm},
		Ignore:  []string{"node_modules", ".next", ".nuxt", ".svelte-kit", ".turbo", "dist", "build", "out", "coverage", ".npm", ".pnpm-store", ".yarn/cache"},
	}
	if pm == "bun" {
		p.Version = "1"
	}
	for _, sig := range s.Signals {
		// Detection: "the start script runs tsx, a devDependency: ...".
		if rest, ok := strings.CutPrefix(sig, "the start script runs "); ok && strings.Contains(rest, ", a devDependency") {
			p.Extra["KeepDevDeps"] = strings.TrimSuffix(strings.Fields(rest)[0], ",")
		}
	}
	if hasSignal(s, "prisma schema prisma/schema.prisma") && !member(s) {
		p.Extra["Prisma"] = detect.NodeExec(pm) + " prisma generate"
	}
	if member(s) || s.Framework == "redwood" {
		// Workspace members install from the monorepo root; the standalone
		// output of a member nests the workspace layout, so it is not used.
		// A Redwood app is itself a yarn workspace (api/, web/): its
		// install needs every member's package.json too.
		p.Extra["Workspace"] = "true"
	}
	return p
}

// memberDir is the member's directory relative to its workspace root.
func memberDir(s detect.Service) string {
	ws, dir := path.Clean(s.Workspace), path.Clean(s.Path)
	if ws == "." {
		return dir
	}
	return strings.TrimPrefix(dir, ws+"/")
}

// member reports whether s is a monorepo member built from its workspace
// root rather than from its own directory.
func member(s detect.Service) bool {
	return s.Workspace != "" && path.Clean(s.Workspace) != path.Clean(s.Path)
}

// nodeRun is how a package manager runs a package.json script.
func nodeRun(pm string) string {
	if pm == "npm" {
		return "npm run"
	}
	return pm + " run"
}

func hasSignal(s detect.Service, word string) bool {
	for _, sig := range s.Signals {
		if strings.Contains(strings.ToLower(sig), word) {
			return true
		}
	}
	return false
}

// denoFamily runs a Deno program.
type denoFamily struct{}

func (denoFamily) Name() string { return "deno" }

func (denoFamily) Match(s detect.Service) bool { return s.Language == "deno" }

func (denoFamily) Plan(s detect.Service) Plan {
	return Plan{
		Service: s,
		Version: version(s.RuntimeVersion, "2.1.4"),
		Port:    s.Port,
		Build:   s.BuildCommand,
		Cmd:     cmdOr(s.StartCommand, "deno task start"),
		Extra:   map[string]string{},
		Ignore:  []string{"node_modules", "_fresh", ".deno"},
	}
}

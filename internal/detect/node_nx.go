package detect

import (
	"encoding/json"
	"path"
	"path/filepath"
	"strings"
)

// nxProject is the part of an Nx project.json detection reads.
type nxProject struct {
	Name        string `json:"name"`
	ProjectType string `json:"projectType"`
	SourceRoot  string `json:"sourceRoot"`
	Targets     map[string]struct {
		Executor string `json:"executor"`
		Options  struct {
			OutputPath string `json:"outputPath"`
			Main       string `json:"main"`
			Target     string `json:"target"`
		} `json:"options"`
	} `json:"targets"`
}

// nxServerFrameworks are recognised in the source of an Nx Node app, whose
// dependencies live in the root package.json shared by every project.
var nxServerFrameworks = []struct{ mark, slug string }{
	{"@nestjs/core", "nestjs"}, {"fastify", "fastify"}, {"koa", "koa"}, {"express", "express"}, {"hono", "hono"},
}

// nxIntegrated detects a project of an integrated Nx workspace: it has a
// project.json and no package.json, and Nx runs its targets.
func nxIntegrated(a *App) (*Match, error) {
	b, ok := a.Read("project.json")
	if !ok || a.Workspace == nil || a.Workspace.Tool != "nx" {
		return nil, nil
	}
	var p nxProject
	w := parseJSONLoose(a.Path("project.json"), b, &p)
	name := orDefault(p.Name, a.base())
	m := &Match{PackageName: name, Score: scoreManifest}
	m.Language, m.Framework = "javascript", "javascript"
	if w != "" {
		m.Signals = append(m.Signals, w)
	}
	var rootPkg packageJSON
	_ = json.Unmarshal([]byte(a.ix.ReadString("package.json")), &rootPkg)
	pm := nodePackageManager(a, &rootPkg)
	m.PackageManager = pm.name
	m.Signals = append(m.Signals, pm.signals...)
	m.RuntimeVersion, m.Signals = nodeVersion(a, &rootPkg, pm.name, m.Signals)
	build := p.Targets["build"]
	if build.Executor == "" && p.ProjectType != "library" {
		// Nx 18+ infers targets from the tool configs through the plugins
		// nx.json lists; project.json then names no build target.
		build.Executor, build.Options.OutputPath = nxInferredBuild(a)
		if build.Executor != "" {
			m.Signals = append(m.Signals, "nx.json plugin infers the build target from the project's config")
		}
	}
	if p.ProjectType == "library" || build.Executor == "" {
		m.Signals = append(m.Signals, "Nx "+orDefault(p.ProjectType, "project")+" without a build target: not a service")
		return m, nil
	}
	m.Deployable, m.Score = true, scoreFramework
	m.BuildCommand = "npx nx build " + name
	m.Signals = append(m.Signals, "project.json build executor "+build.Executor)
	out := orDefault(build.Options.OutputPath, "dist/"+a.Dir)
	switch ex := build.Executor; {
	case strings.HasPrefix(ex, "@nx/next:"):
		m.Framework, m.Type, m.Port = "nextjs", "web", 3000
		m.StartCommand = "npx next start " + out
	case build.Options.Target == "node" || strings.HasPrefix(ex, "@nx/node:") || strings.HasPrefix(ex, "@nx/esbuild:"):
		m.Type, m.Port = "api", 3000
		m.StartCommand = "node " + out + "/main.js"
		src := a.ix.ReadString(build.Options.Main)
		for _, f := range nxServerFrameworks {
			if strings.Contains(src, "'"+f.mark+"'") || strings.Contains(src, `"`+f.mark+`"`) {
				m.Framework = f.slug
				break
			}
		}
		if port, sig := scanPort(&App{ix: a.ix, Dir: "."}, []string{build.Options.Main}, nodePortRules); port != 0 {
			m.Port = port
			m.Signals = append(m.Signals, sig)
		}
	default:
		// OutputDir is relative to the service's path, as for every other
		// static build; Nx writes under the workspace's dist/.
		rel, err := filepath.Rel(a.Dir, out)
		if err != nil {
			rel = out
		}
		m.Type, m.Port, m.OutputDir = "static", 8080, filepath.ToSlash(rel)
		if strings.HasPrefix(ex, "@nx/angular:") || strings.HasPrefix(ex, "@angular-devkit/") {
			m.Framework = "angular"
		} else if strings.HasPrefix(ex, "@nx/vite:") {
			m.Framework = "vite"
		}
		m.Signals = append(m.Signals, "static build in "+out+", served by a web server on 8080")
	}
	return m, nil
}

var viteOutDirRe = lazyRegexp(`outDir:\s*['"]([^'"]+)['"]`)

// nxInferredBuild returns the executor an Nx plugin of nx.json infers for
// the project's build (@nx/vite/plugin from a vite.config, @nx/next/plugin
// from a next.config) and the output directory, repository-relative.
func nxInferredBuild(a *App) (executor, out string) {
	var nx struct {
		Plugins []json.RawMessage `json:"plugins"`
	}
	_ = json.Unmarshal([]byte(a.ix.ReadString("nx.json")), &nx)
	for _, raw := range nx.Plugins {
		var name string
		var obj struct{ Plugin string }
		if json.Unmarshal(raw, &name) != nil && json.Unmarshal(raw, &obj) == nil {
			name = obj.Plugin
		}
		switch name {
		case "@nx/vite/plugin":
			cfg := a.First("vite.config.ts", "vite.config.mts", "vite.config.js", "vite.config.mjs")
			if cfg == "" {
				continue
			}
			out = "dist/" + a.Dir
			if m := viteOutDirRe.FindStringSubmatch(a.ReadString(cfg)); m != nil {
				out = path.Clean(path.Join(a.Dir, m[1]))
			}
			return "@nx/vite:build", out
		case "@nx/next/plugin":
			if a.First("next.config.js", "next.config.mjs", "next.config.ts") != "" {
				return "@nx/next:build", a.Dir
			}
		}
	}
	return "", ""
}

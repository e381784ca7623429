package detect

import (
	"encoding/json"
	"sort"
	"strings"
)

// angularJSON is the part of angular.json that names the build output.
type angularJSON struct {
	Projects map[string]struct {
		ProjectType string `json:"projectType"`
		Architect   struct {
			Build struct {
				Builder string `json:"builder"`
				Options struct {
					OutputPath json.RawMessage `json:"outputPath"`
				} `json:"options"`
			} `json:"build"`
		} `json:"architect"`
	} `json:"projects"`
}

// refineAngular reads the application project's output path; the
// application builder (Angular 17+) writes the browser files to a
// "browser" sub-directory, and @angular/ssr makes it a Node server.
func refineAngular(f *nodeFramework, a *App, pkg *packageJSON, m *Match) {
	var cfg angularJSON
	_ = json.Unmarshal([]byte(a.ReadString("angular.json")), &cfg)
	names := make([]string, 0, len(cfg.Projects))
	for n, p := range cfg.Projects {
		if p.ProjectType != "library" {
			names = append(names, n)
		}
	}
	sort.Strings(names)
	name := pkg.Name
	f.out = "dist/" + name
	appBuilder := false
	if len(names) > 0 {
		name = names[0]
		p := cfg.Projects[name]
		f.out = "dist/" + name
		var s string
		var o struct{ Base string }
		if json.Unmarshal(p.Architect.Build.Options.OutputPath, &s) == nil && s != "" {
			f.out = s
		} else if json.Unmarshal(p.Architect.Build.Options.OutputPath, &o) == nil && o.Base != "" {
			f.out = o.Base
		}
		appBuilder = strings.HasSuffix(p.Architect.Build.Builder, ":application")
	}
	if pkg.has("@angular/ssr") {
		f.typ, f.port, f.start = "web", 4000, "node "+f.out+"/server/server.mjs"
		m.Signals = append(m.Signals, "@angular/ssr: server-side rendering")
		return
	}
	if appBuilder {
		f.out += "/browser"
	}
}

package dockerfile

import (
	"strings"

	"github.com/usecapsule/capsule/internal/detect"
)

// staticGenerator builds sites of the static-site generators that are not
// Node.js programs (Hugo, Jekyll, MkDocs) and serves them with nginx.
type staticGenerator struct{}

func (staticGenerator) Name() string { return "generator" }

func (staticGenerator) Match(s detect.Service) bool {
	switch s.Framework {
	case "hugo", "jekyll", "mkdocs":
		return true
	}
	return false
}

func (staticGenerator) Plan(s detect.Service) Plan {
	p := Plan{Service: s, Port: 8080, Extra: map[string]string{"Generator": s.Framework}}
	switch s.Framework {
	case "hugo":
		p.Version = version(s.RuntimeVersion, "0.139.0")
		p.Ignore = []string{"public", "resources/_gen", ".hugo_build.lock"}
	case "jekyll":
		p.Version = floatMinor(version(s.RuntimeVersion, "3.3"))
		p.Ignore = []string{"_site", ".jekyll-cache", ".sass-cache", "vendor"}
	case "mkdocs":
		p.Version = floatMinor(version(s.RuntimeVersion, "3.12"))
		p.Ignore = []string{"site", "__pycache__", ".venv"}
	}
	return p
}

// staticFamily serves files that need no build, or a prebuilt output
// directory, with nginx.
type staticFamily struct{}

func (staticFamily) Name() string { return "static" }

func (staticFamily) Match(s detect.Service) bool { return s.Language == "static" || s.Type == "static" }

func (staticFamily) Plan(s detect.Service) Plan {
	dir := strings.TrimPrefix(strings.TrimSuffix(s.OutputDir, "/"), "./")
	if dir == "" {
		dir = "."
	}
	return Plan{Service: s, Port: 8080, Extra: map[string]string{"OutputDir": dir}}
}

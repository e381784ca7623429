package detect

import (
	"strings"
)

// staticDetector recognises sites served as files: Hugo, a plain
// index.html, or prebuilt files in public/.
type staticDetector struct{}

var _ Detector = staticDetector{}

// Name implements Detector.
func (staticDetector) Name() string { return "static" }

var hugoVersionRe = lazyRegexp(`HUGO_VERSION\s*=\s*"([\d.]+)"`)

// Detect implements Detector.
func (staticDetector) Detect(a *App) (*Match, error) {
	m := &Match{Score: scoreManifest, Deployable: true}
	m.Language, m.Type, m.Port = "static", "static", 8080
	if cfg := hugoConfig(a); cfg != "" {
		m.Framework, m.Score = "hugo", scoreFramework
		m.BuildCommand, m.OutputDir = "hugo --gc --minify", "public"
		m.Signals = append(m.Signals, cfg+" with a Hugo site layout")
		if v := hugoVersionRe.FindStringSubmatch(a.ReadString("netlify.toml")); v != nil {
			m.RuntimeVersion = normalizeVersion(v[1], 2)
			m.Signals = append(m.Signals, "Hugo "+m.RuntimeVersion+" from netlify.toml")
		} else if v := toolVersions(a, "hugo"); v != "" {
			m.RuntimeVersion = normalizeVersion(v, 2)
			m.Signals = append(m.Signals, "Hugo "+m.RuntimeVersion+" from .tool-versions")
		}
		return m, nil
	}
	for _, dir := range []string{".", "public", "www", "site"} {
		if a.Has(join(dir, "index.html")) {
			m.Framework, m.OutputDir = "static", dir
			m.Signals = append(m.Signals, a.Path(join(dir, "index.html"))+" present: files served as they are")
			return m, nil
		}
	}
	return nil, nil
}

// hugoConfig returns the Hugo configuration file when the directory looks
// like a Hugo site (a config plus content/, layouts/ or themes/).
func hugoConfig(a *App) string {
	cfg := a.First("hugo.toml", "hugo.yaml", "hugo.json", "config.toml", "config.yaml")
	if cfg == "" {
		// Larger sites (Docsy, most themes' example sites) split the
		// configuration per environment under config/_default/, a layout
		// only Hugo uses, so the file name alone is enough there.
		return a.First("config/_default/hugo.toml", "config/_default/hugo.yaml", "config/_default/hugo.json",
			"config/_default/config.toml", "config/_default/config.yaml", "config/_default/config.json")
	}
	if !strings.HasPrefix(cfg, "hugo.") && !strings.Contains(strings.ToLower(a.ReadString(cfg)), "baseurl") {
		return ""
	}
	if a.HasDir("content") || a.HasDir("layouts") || a.HasDir("themes") || a.HasDir("archetypes") {
		return cfg
	}
	return ""
}

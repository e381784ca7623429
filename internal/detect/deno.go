package detect

import (
	"strings"
)

// denoDetector recognises Deno apps (Fresh, Hono on Deno, Deno.serve).
type denoDetector struct{}

var _ Detector = denoDetector{}

// Name implements Detector.
func (denoDetector) Name() string { return "deno" }

type denoJSON struct {
	Name    string            `json:"name"`
	Tasks   map[string]string `json:"tasks"`
	Imports map[string]string `json:"imports"`
}

var jsoncCommentRe = lazyRegexp(`(?m)^\s*//.*$`)

// Detect implements Detector.
func (denoDetector) Detect(a *App) (*Match, error) {
	file := a.First("deno.json", "deno.jsonc")
	if file == "" {
		return nil, nil
	}
	var d denoJSON
	// deno.jsonc allows whole-line comments; they are blanked, keeping the
	// line numbers of parse errors right.
	src := jsoncCommentRe.ReplaceAll([]byte(a.ReadString(file)), nil)
	w := parseJSONLoose(a.Path(file), src, &d)
	m := &Match{Score: scoreManifest, PackageName: d.Name}
	m.Language, m.PackageManager, m.Framework = "deno", "deno", "deno"
	m.Signals = append(m.Signals, file+" present")
	if w != "" {
		m.Signals = append(m.Signals, w)
	}
	v, s := versionFrom(1, [2]string{".dvmrc", firstLine(a, ".dvmrc")}, [2]string{".tool-versions", toolVersions(a, "deno")})
	if v != "" {
		m.RuntimeVersion = v
		m.Signals = append(m.Signals, s)
	}
	imports := ""
	for k, v := range d.Imports {
		imports += k + "=" + v + "\n"
	}
	switch {
	case strings.Contains(imports, "$fresh/") || strings.Contains(imports, "@fresh/core"):
		m.Framework, m.Type = "fresh", "web"
		m.Signals = append(m.Signals, file+" imports Fresh")
	case strings.Contains(imports, "hono"):
		m.Framework, m.Type = "hono", "api"
		m.Signals = append(m.Signals, file+" imports Hono")
	}
	if _, ok := d.Tasks["build"]; ok {
		m.BuildCommand = "deno task build"
	}
	entry := a.First("main.ts", "server.ts", "mod.ts", "main.tsx", "src/main.ts")
	switch {
	case strings.Contains(d.Tasks["start"], "--watch") && entry != "":
		// Fresh's start task is the development server; production runs
		// the entry point directly.
		m.StartCommand = "deno run -A " + entry
		m.Signals = append(m.Signals, "the start task watches files (development): running "+entry+" instead")
	case d.Tasks["start"] != "":
		m.StartCommand = "deno task start"
	case entry != "":
		m.StartCommand = "deno run -A " + entry
	default:
		m.Signals = append(m.Signals, "no start task or main.ts: a library")
		return m, nil
	}
	m.Deployable, m.Score, m.Port = true, scoreRunnable, 8000
	if m.Framework != "deno" {
		m.Score = scoreFramework
	} else {
		m.Type = "web"
	}
	if p, sig := scanPort(a, []string{entry, "main.ts", "server.ts"}, []portRule{
		rule("Deno.serve port", `\bport:\s*(\d{2,5})`), rule("a PORT default", `Deno\.env\.get\(\s*"PORT"\s*\)\s*\?\?\s*"?(\d{2,5})`)}); p != 0 {
		m.Port = p
		m.Signals = append(m.Signals, sig)
	}
	return m, nil
}

package detect

import (
	"strings"
)

// healthRouteRe matches a health route declared in source: a string
// literal ("/healthz", "/api/health", "/ping"...) passed to a routing call
// (r.GET("/healthz", ...), @app.get("/health"), get "/up" in Ruby).
var healthRouteRe = lazyRegexp(`(?:\(\s*|\bget\s+|\bmatch\s+)["'` + "`" + `](?:GET )?(/(?:api/)?(?:healthz|health|healthcheck|health-check|_health|livez|ping))["'` + "`" + `]`)

// djangoHealthRe matches a Django URL pattern for a health route, which
// is written without the leading slash.
var djangoHealthRe = lazyRegexp(`path\(\s*["']((?:healthz|health|ping)/?)["']`)

// sourceExts are the source files searched for routes, per language.
var sourceExts = map[string][]string{
	"javascript": {".js", ".ts", ".mjs"}, "python": {".py"}, "go": {".go"},
	"java": {".java", ".kt", ".scala"}, "ruby": {".rb"}, "php": {".php"},
	"elixir": {".ex"}, "rust": {".rs"}, "dotnet": {".cs", ".fs"}, "deno": {".ts", ".tsx"},
}

// findHealthRoute returns the first health route declared in the app's
// source, preferring it to "/" because a dedicated route is cheap and does
// not redirect to a login page.
func findHealthRoute(a *App, language string) (string, string) {
	exts := sourceExts[language]
	if exts == nil {
		return "", ""
	}
	route, file, n := "", "", 0
	a.ix.Walk(a.Dir, exts, func(p string) bool {
		n++
		src := a.ix.Source(p)
		if !containsAny(src, []string{"health", "/ping", "livez"}) {
			return n < 200
		}
		for _, loc := range healthRouteRe.FindAllStringSubmatchIndex(src, 4) {
			if !inComment(src, loc[0]) {
				route, file = src[loc[2]:loc[3]], p
				return false
			}
		}
		if m := djangoHealthRe.FindStringSubmatch(src); m != nil {
			route, file = "/"+m[1], p
			return false
		}
		return n < 200 // bound the cost on large repositories
	})
	return route, file
}

// applyHealthRoute sets the health path of a web or API service from its
// source when one is declared.
func applyHealthRoute(a *App, s *Service) {
	if s.HealthCheckPath != "" || s.Port == 0 || s.Type != "web" && s.Type != "api" {
		return
	}
	if route, file := findHealthRoute(a, s.Language); route != "" {
		s.HealthCheckPath = route
		s.Signals = append(s.Signals, file+" declares the health route "+route)
	}
}

// inComment reports whether offset i of src is on a comment line, so that
// documentation mentioning a route is not taken for the route.
func inComment(src string, i int) bool {
	start := strings.LastIndexByte(src[:i], '\n') + 1
	line := strings.TrimSpace(src[start:i])
	if strings.HasPrefix(line, "#[") { // a Rust attribute, not a comment
		return false
	}
	for _, p := range []string{"//", "#", "*", "/*"} {
		if strings.HasPrefix(line, p) {
			return true
		}
	}
	return false
}

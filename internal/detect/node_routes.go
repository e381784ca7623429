package detect

// fileRoutes maps file-system routes to URL paths for the frameworks that
// route by file name, so that a health endpoint defined as a file is found
// like one declared in code.
var fileRoutes = map[string][]struct{ file, route string }{
	"nextjs": {
		{"app/api/health/route", "/api/health"}, {"app/api/healthz/route", "/api/healthz"},
		{"app/health/route", "/health"}, {"app/healthz/route", "/healthz"},
		{"src/app/api/health/route", "/api/health"}, {"src/app/health/route", "/health"},
		{"pages/api/health", "/api/health"}, {"pages/api/healthz", "/api/healthz"},
		{"src/pages/api/health", "/api/health"},
	},
	"nuxt": {
		{"server/api/health", "/api/health"}, {"server/routes/health", "/health"}, {"server/routes/healthz", "/healthz"},
	},
	"nitro": {
		{"server/routes/health", "/health"}, {"routes/health", "/health"}, {"server/api/health", "/api/health"},
	},
	"sveltekit": {
		{"src/routes/health/+server", "/health"}, {"src/routes/healthz/+server", "/healthz"},
		{"src/routes/api/health/+server", "/api/health"},
	},
}

var routeExts = []string{".ts", ".js", ".mjs", ".tsx", ".jsx"}

// fileHealthRoute returns the health route a file-routed framework defines.
func fileHealthRoute(a *App, framework string) (string, string) {
	for _, r := range fileRoutes[framework] {
		for _, ext := range routeExts {
			if a.Has(r.file + ext) {
				return r.route, a.Path(r.file + ext)
			}
		}
	}
	return "", ""
}

// applyFileHealthRoute sets the health path from a file route.
func applyFileHealthRoute(a *App, m *Match) {
	if m.HealthCheckPath != "" || m.Type == "static" {
		return
	}
	if route, file := fileHealthRoute(a, m.Framework); route != "" {
		m.HealthCheckPath = route
		m.Signals = append(m.Signals, file+" defines the health route "+route)
	}
}

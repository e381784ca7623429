package detect

import (
	"fmt"
	"sort"
	"strings"
)

var djangoSettingsRe = lazyRegexp(`DJANGO_SETTINGS_MODULE["']\s*,\s*["']([\w.]+)["']`)

// pyDjango finds the project package from manage.py's settings module and
// serves its WSGI application with gunicorn (ASGI with uvicorn or daphne
// when Channels or an ASGI server is a dependency).
func pyDjango(p *pyApp) bool {
	a, m := p.a, p.m
	settings := ""
	for _, f := range []string{"manage.py", "src/manage.py"} {
		if s := djangoSettingsRe.FindStringSubmatch(a.ReadString(f)); s != nil {
			settings = s[1]
			m.Signals = append(m.Signals, a.Path(f)+" uses settings "+settings)
			break
		}
	}
	if settings == "" {
		m.Signals = append(m.Signals, "depends on django but manage.py names no settings module")
		return false
	}
	project := strings.Split(settings, ".")[0]
	dir := strings.ReplaceAll(project, ".", "/")
	m.Type, m.Port = "web", 8000
	// collectstatic fails without STATIC_ROOT, so it is only the build step
	// when the settings define one.
	if djangoStaticRoot(a, dir) {
		m.BuildCommand = "python manage.py collectstatic --noinput"
		if vars := djangoRequiredEnv(a, dir); len(vars) > 0 {
			m.Signals = append(m.Signals, "settings require "+strings.Join(vars, ", ")+" at import: collectstatic runs with build placeholders")
		}
	} else {
		m.Signals = append(m.Signals, "settings define no STATIC_ROOT: no collectstatic step")
	}
	asgi := a.Has(dir+"/asgi.py") && p.deps.has("channels", "daphne", "uvicorn")
	switch {
	case asgi && p.deps.has("daphne"):
		m.StartCommand = fmt.Sprintf("daphne -b 0.0.0.0 -p 8000 %s.asgi:application", project)
		m.Signals = append(m.Signals, "ASGI application "+project+".asgi (daphne)")
	case asgi:
		m.StartCommand = fmt.Sprintf("uvicorn %s.asgi:application --host 0.0.0.0 --port 8000", project)
		m.Signals = append(m.Signals, "ASGI application "+project+".asgi (uvicorn)")
	default:
		m.StartCommand = fmt.Sprintf("gunicorn %s.wsgi:application --bind 0.0.0.0:8000", project)
		m.Signals = append(m.Signals, "WSGI application "+project+".wsgi")
		p.needsServer("gunicorn")
	}
	m.Signals = append(m.Signals, "run python manage.py migrate as a release step")
	if !djangoAnyHost(a, dir) {
		m.Signals = append(m.Signals, djangoHostSignal)
	}
	return true
}

// djangoHostSignal marks a Django app whose ALLOWED_HOSTS does not admit
// every host: kubelet's HTTP probes carry the pod IP as Host, which Django
// answers with 400 (DisallowedHost), so the service is probed over TCP.
const djangoHostSignal = "ALLOWED_HOSTS does not admit the pod IP that HTTP probes send as Host (Django answers 400): TCP probe"

// djangoAnyHost reports whether a settings file of the project admits any
// host (ALLOWED_HOSTS = ["*"], or "*" as the environment default).
func djangoAnyHost(a *App, dir string) bool {
	for _, f := range a.FilesWithExt(dir, 30, ".py") {
		for _, line := range strings.Split(a.Source(f), "\n") {
			if strings.Contains(line, "ALLOWED_HOSTS") && (strings.Contains(line, `"*"`) || strings.Contains(line, `'*'`)) {
				return true
			}
		}
	}
	return false
}

// djangoStaticRoot reports whether a settings file of the project package
// defines STATIC_ROOT.
func djangoStaticRoot(a *App, dir string) bool {
	for _, f := range a.FilesWithExt(dir, 30, ".py") {
		if strings.Contains(a.Source(f), "STATIC_ROOT") {
			return true
		}
	}
	return false
}

// djangoRequiredEnvRe finds settings that fail at import without a
// variable: os.environ["X"], and env("X") / config("X") with no default.
var djangoRequiredEnvRe = lazyRegexp(`(?:os\.environ\[\s*["'](\w+)["']\s*\]|\b(?:env|config)\(\s*["'](\w+)["']\s*\))`)

// djangoRequiredEnv lists the variables the project's settings need at
// import, which collectstatic (run at build time, without the app's
// secrets) would otherwise fail on.
func djangoRequiredEnv(a *App, dir string) []string {
	seen := map[string]bool{}
	var out []string
	for _, f := range a.FilesWithExt(dir, 30, ".py") {
		for _, m := range djangoRequiredEnvRe.FindAllStringSubmatch(a.Source(f), -1) {
			name := m[1] + m[2]
			if !seen[name] {
				seen[name] = true
				out = append(out, name)
			}
		}
	}
	sort.Strings(out)
	return out
}

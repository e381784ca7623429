package dockerfile

import (
	"path"
	"strconv"
	"strings"

	"github.com/usecapsule/capsule/internal/detect"
)

// pythonFamily installs into a virtual environment in the build stage and
// copies only that environment and the source into the runtime.
type pythonFamily struct{}

func (pythonFamily) Name() string { return "python" }

func (pythonFamily) Match(s detect.Service) bool { return s.Language == "python" }

func (pythonFamily) Plan(s detect.Service) Plan {
	pm := s.PackageManager
	if pm == "" {
		pm = "pip"
	}
	def := "python main.py"
	switch s.Framework {
	case "django":
		def = "gunicorn --bind 0.0.0.0:$PORT config.wsgi"
	case "fastapi":
		def = "uvicorn main:app --host 0.0.0.0 --port $PORT"
	case "flask":
		def = "gunicorn --bind 0.0.0.0:$PORT app:app"
	}
	p := Plan{
		Service: s,
		Version: floatMinor(version(s.RuntimeVersion, "3.12")),
		Port:    s.Port,
		Build:   s.BuildCommand,
		Cmd:     cmdOr(s.StartCommand, def),
		Extra:   map[string]string{"PM": pm},
		Ignore:  []string{"__pycache__", "*.py[cod]", ".venv", "venv", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", "htmlcov", "*.egg-info"},
	}
	if pm == "pip" {
		pipPlan(&p, s)
	}
	var servers []string
	for _, sig := range s.Signals {
		// Detection: "gunicorn is not in the dependencies: add it for production".
		if name, ok := strings.CutSuffix(sig, " is not in the dependencies: add it for production"); ok && !strings.ContainsAny(name, " ;&|") {
			servers = append(servers, name)
		}
	}
	if len(servers) > 0 {
		p.Extra["AddServers"] = strings.Join(servers, " ")
	}
	if env := buildPlaceholders(s); env != "" && strings.Contains(p.Build, "collectstatic") {
		p.Build = env + " " + p.Build
	}
	return p
}

// buildPlaceholders are dummy values for the variables Django settings
// need at import ("settings require SECRET_KEY, DATABASE_URL at import"):
// collectstatic runs at build time, where the real secrets must not be.
// URLs get a harmless URL of their kind, everything else "1" (parses as a
// string, a number and a boolean).
func buildPlaceholders(s detect.Service) string {
	for _, sig := range s.Signals {
		list, ok := strings.CutPrefix(sig, "settings require ")
		if !ok {
			continue
		}
		if list, ok = strings.CutSuffix(list, " at import: collectstatic runs with build placeholders"); !ok {
			continue
		}
		var env []string
		for _, name := range strings.Split(list, ", ") {
			v := "1"
			switch {
			case name == "DATABASE_URL":
				v = "sqlite:////tmp/build.sqlite3"
			case strings.Contains(name, "REDIS") || strings.Contains(name, "BROKER") || strings.Contains(name, "CACHE"):
				v = "redis://localhost:6379/0"
			case strings.HasSuffix(name, "_URL"):
				v = "http://localhost"
			}
			env = append(env, name+"="+v)
		}
		return strings.Join(env, " ")
	}
	return ""
}

// pipPlan chooses what pip installs from, after detection's "<file>
// present: pip" signal: a requirements file (with the directories and files
// it includes copied first), the [project] dependencies of pyproject.toml
// (read with tomllib, Python 3.11+, so the layer caches without the
// source), or the project itself (pip install . once the source is in).
func pipPlan(p *Plan, s detect.Service) {
	src := "requirements.txt"
	for _, sig := range s.Signals {
		if f, ok := strings.CutSuffix(sig, " present: pip"); ok {
			src = f
		}
	}
	switch {
	case strings.HasSuffix(src, ".txt"):
		p.Extra["ReqFile"] = src
		if path.Dir(src) == "." {
			p.Extra["ReqGlob"] = "true"
		}
		var copies []string
		seen := map[string]bool{}
		add := func(f string) {
			c := "COPY " + f + " ./" + f
			if dir := path.Dir(f); dir != "." {
				c = "COPY " + dir + "/ ./" + dir + "/"
			} else if matchReq(f) {
				return // the requirements*.txt glob copies it
			}
			if !seen[c] {
				seen[c] = true
				copies = append(copies, c)
			}
		}
		add(src)
		for _, sig := range s.Signals {
			if inc, ok := strings.CutPrefix(sig, src+" includes "); ok && !strings.HasPrefix(inc, "../") {
				add(inc)
			}
		}
		p.Extra["ReqCopies"] = strings.Join(copies, "\n")
	case src == "pyproject.toml" && minorAtLeast(minor(p.Version), 3, 11):
		p.Extra["PyProject"] = "true"
	case src == "pyproject.toml" || src == "setup.py":
		p.Extra["InstallProject"] = "true"
	}
}

func matchReq(f string) bool {
	ok, _ := path.Match("requirements*.txt", f)
	return ok
}

// minorAtLeast reports whether a "major.minor" version is at least
// major.minor.
func minorAtLeast(v string, major, minor int) bool {
	a, b, _ := strings.Cut(v, ".")
	x, err1 := strconv.Atoi(a)
	y, err2 := strconv.Atoi(b)
	if err1 != nil || err2 != nil {
		return true
	}
	return x > major || x == major && y >= minor
}

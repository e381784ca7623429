package detect

import (
	"fmt"
	"strings"
)

// pythonDetector recognises Python apps: their package manager, version,
// framework and the WSGI/ASGI module to serve.
type pythonDetector struct{}

var _ Detector = pythonDetector{}

// Name implements Detector.
func (pythonDetector) Name() string { return "python" }

// pyApp is what the Python framework rules work from.
type pyApp struct {
	a    *App
	deps pyDeps
	name string
	m    *Match
	// Facts of the manifests.
	poetry, pdm, uv                             bool
	requiresPython, pyConstraint, pipfilePython string
}

// Detect implements Detector.
func (pythonDetector) Detect(a *App) (*Match, error) {
	if a.First("requirements.txt", "pyproject.toml", "Pipfile", "setup.py", "manage.py", "uv.lock", "poetry.lock") == "" {
		return nil, nil
	}
	p := &pyApp{a: a, deps: pyDeps{}, m: &Match{}}
	if err := p.readManifests(); err != nil {
		return nil, err
	}
	m := p.m
	m.Language, m.PackageName, m.Deps = "python", p.name, p.deps.list()
	p.packageManager()
	p.runtimeVersion()
	if !matchPyFramework(p) {
		pyPlain(p)
	}
	return m, nil
}

func (p *pyApp) readManifests() error {
	a := p.a
	if b, ok, unreadable := a.Manifest("pyproject.toml"); ok {
		pp, err := parsePyProject(a.Path("pyproject.toml"), b)
		switch {
		case unreadable != "":
			pp = &pyProject{}
			p.m.Signals = append(p.m.Signals, unreadable)
		case err != nil:
			// The other manifests and the sources still tell the framework.
			pp = &pyProject{}
			p.m.Signals = append(p.m.Signals, ignoredManifest(err))
		}
		p.name = pp.Project.Name
		for _, d := range pp.Project.Dependencies {
			p.deps.add(d)
		}
		if po := pp.Tool.Poetry; po != nil {
			p.name = orDefault(p.name, po.Name)
			for n, v := range po.Dependencies {
				if n == "python" {
					p.pyConstraint = fmt.Sprint(v)
					continue
				}
				p.deps.addTable(n, v)
			}
			p.poetry = true
		}
		p.pdm, p.uv = pp.Tool.PDM != nil, pp.Tool.UV != nil
		p.requiresPython = pp.Project.RequiresPython
	}
	if b, ok := a.Read("Pipfile"); ok {
		var pf pipfile
		if err := parseTOML(a.Path("Pipfile"), b, &pf); err != nil {
			pf = pipfile{}
			p.m.Signals = append(p.m.Signals, ignoredManifest(err))
		}
		for n, v := range pf.Packages {
			p.deps.addTable(n, v)
		}
		p.pipfilePython = firstNonEmpty(pf.Requires.PythonFullVersion, pf.Requires.PythonVersion)
	}
	for _, f := range []string{"requirements.txt", "requirements/production.txt", "requirements/prod.txt", "requirements/base.txt"} {
		readRequirements(a, f, p.deps, 0)
	}
	readSetupPy(a, p.deps)
	return nil
}

// pyLocks in precedence order when several lockfiles conflict: the newer
// tools are adopted deliberately, a requirements.txt is often an export.
var pyLocks = []struct{ file, pm string }{
	{"uv.lock", "uv"}, {"poetry.lock", "poetry"}, {"pdm.lock", "pdm"}, {"Pipfile.lock", "pipenv"},
}

func (p *pyApp) packageManager() {
	a, m := p.a, p.m
	var found []string
	for _, l := range pyLocks {
		if a.Has(l.file) {
			found = append(found, l.file)
			if m.PackageManager == "" {
				m.PackageManager = l.pm
			}
		}
	}
	switch {
	case len(found) > 1:
		m.Signals = append(m.Signals, fmt.Sprintf("%s chosen over %s (lockfile precedence uv > poetry > pdm > pipenv)",
			found[0], strings.Join(found[1:], ", ")))
	case len(found) == 1:
		m.Signals = append(m.Signals, found[0]+" present")
	case p.poetry:
		m.PackageManager = "poetry"
		m.Signals = append(m.Signals, "pyproject.toml has [tool.poetry]")
	case p.pdm:
		m.PackageManager = "pdm"
		m.Signals = append(m.Signals, "pyproject.toml has [tool.pdm]")
	case p.uv:
		m.PackageManager = "uv"
		m.Signals = append(m.Signals, "pyproject.toml has [tool.uv]")
	case a.Has("Pipfile"):
		m.PackageManager = "pipenv"
		m.Signals = append(m.Signals, "Pipfile present")
	default:
		m.PackageManager = "pip"
		src := a.First(pipSources...)
		m.Signals = append(m.Signals, src+" present: pip")
		if strings.HasSuffix(src, ".txt") {
			// The Dockerfile copies what the install file includes before
			// installing, so the dependency layer builds and caches.
			for _, inc := range requirementIncludes(a, src) {
				m.Signals = append(m.Signals, src+" includes "+inc)
			}
		}
	}
}

// pipSources are the files pip installs from, in the order detection
// prefers them (cookiecutter-django keeps only requirements/*.txt).
var pipSources = []string{"requirements.txt", "requirements/production.txt", "requirements/prod.txt", "requirements/base.txt",
	"pyproject.toml", "setup.py", "manage.py"}

func (p *pyApp) runtimeVersion() {
	a := p.a
	rt := strings.TrimPrefix(firstLine(a, "runtime.txt"), "python-")
	v, s := pinnedVersionFrom(2,
		versionSource{".python-version", firstLine(a, ".python-version"), true},
		versionSource{"runtime.txt", rt, true},
		versionSource{".tool-versions", toolVersions(a, "python"), true},
		versionSource{"Pipfile [requires]", p.pipfilePython, true},
		versionSource{"requires-python", p.requiresPython, true},
		versionSource{"tool.poetry python", p.pyConstraint, true})
	if v != "" {
		p.m.RuntimeVersion = v
		p.m.Signals = append(p.m.Signals, s)
	}
}

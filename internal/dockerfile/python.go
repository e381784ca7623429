package dockerfile

import "github.com/usecapsule/capsule/internal/detect"

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
	return Plan{
		Service: s,
		Version: minor(version(s.RuntimeVersion, "3.12")),
		Port:    s.Port,
		Build:   s.BuildCommand,
		Cmd:     cmdOr(s.StartCommand, def),
		Extra:   map[string]string{"PM": pm},
		Ignore:  []string{"__pycache__", "*.py[cod]", ".venv", "venv", ".pytest_cache", ".mypy_cache", ".ruff_cache", ".tox", "htmlcov", "*.egg-info"},
	}
}

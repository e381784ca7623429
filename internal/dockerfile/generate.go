package dockerfile

import (
	"bytes"
	"embed"
	"fmt"
	"strconv"
	"strings"
	"sync"
	"text/template"

	"github.com/usecapsule/capsule/internal/detect"
)

//go:embed templates/*.tmpl
var templateFS embed.FS

// templates parses every family template once, on first use (not at the
// start of every capsule command); they are constant data.
var templates = sync.OnceValue(func() *template.Template {
	return template.Must(template.New("").Funcs(template.FuncMap{
		"join": strings.Join,
	}).ParseFS(templateFS, "templates/*.tmpl"))
})

// Files are what Generate writes.
type Files struct {
	Dockerfile   []byte
	Dockerignore []byte
}

// Plan is what a family template needs: the service and the choices the
// family made for it.
type Plan struct {
	Service detect.Service
	// Family names the template (node, python, ...).
	Family string
	// Version is the runtime version the base image tags are pinned to.
	Version string
	// Port is EXPOSEd; 0 for workers and cron jobs.
	Port int
	// Cmd is the exec-form CMD as a JSON array.
	Cmd string
	// Build is the build command run in the build stage, if any.
	Build string
	// Extra holds family-specific values (package entry points, file names).
	Extra map[string]string
	// Ignore are the family's .dockerignore entries, after the common ones.
	Ignore []string
}

// Exact reports whether Version pins one release (3.2.2). Its image is then
// tagged without the Debian codename (ruby:3.2.2-slim): every release has
// that tag, while a -bookworm variant exists only for releases cut after
// Debian 12 (ruby 3.1.2, python 3.10.6 have none).
func (p Plan) Exact() bool { return exactRelease(p.Version) }

// Family turns a detected service into a Plan. A family is one file; the
// registry below lists them in the order they are tried.
type Family interface {
	// Name is the family and its template's name.
	Name() string
	// Match reports whether the family builds s.
	Match(s detect.Service) bool
	// Plan fills the template's values for s.
	Plan(s detect.Service) Plan
}

// Families are tried in order; framework-specific families come before the
// language they belong to.
var Families = []Family{
	staticGenerator{},
	spaFamily{},
	nodeFamily{},
	denoFamily{},
	pythonFamily{},
	goFamily{},
	jvmFamily{},
	rubyFamily{},
	phpFamily{},
	elixirFamily{},
	rustFamily{},
	dotnetFamily{},
	staticFamily{},
}

// Generate writes the Dockerfile and .dockerignore for s.
func Generate(s detect.Service) (*Files, error) {
	for _, f := range Families {
		if !f.Match(s) {
			continue
		}
		p := f.Plan(s)
		p.Family = f.Name()
		var b bytes.Buffer
		if err := templates().ExecuteTemplate(&b, p.Family+".tmpl", p); err != nil {
			return nil, fmt.Errorf("dockerfile: %s template: %w", p.Family, err)
		}
		return &Files{Dockerfile: tidy(b.Bytes()), Dockerignore: ignoreFile(p)}, nil
	}
	return nil, fmt.Errorf("dockerfile: no template for language %q (framework %q); write a Dockerfile by hand and capsule will use it", s.Language, s.Framework)
}

// tidy collapses the blank lines template conditionals leave behind.
func tidy(b []byte) []byte {
	for bytes.Contains(b, []byte("\n\n\n")) {
		b = bytes.ReplaceAll(b, []byte("\n\n\n"), []byte("\n\n"))
	}
	return append(bytes.TrimSpace(b), '\n')
}

// commonIgnore keeps VCS data, local secrets, editor files and the build
// files themselves out of every build context.
var commonIgnore = []string{
	".git", ".gitignore", ".dockerignore", "Dockerfile*", "docker-compose*.yml", "compose*.yaml",
	".env", ".env.*", "*.pem", "*.key", ".DS_Store", ".idea", ".vscode", "*.log", "capsule.yaml",
}

func ignoreFile(p Plan) []byte {
	var b strings.Builder
	b.WriteString("# .dockerignore written by `capsule dockerfile`: what never goes into the build context.\n")
	b.WriteString("# Local secrets (.env, keys) stay out so they cannot end up in an image layer.\n")
	for _, l := range commonIgnore {
		b.WriteString(l + "\n")
	}
	if len(p.Ignore) > 0 {
		b.WriteString("\n# " + p.Family + "\n")
		for _, l := range p.Ignore {
			b.WriteString(l + "\n")
		}
	}
	return []byte(b.String())
}

// version returns v, or def when detection found none.
func version(v, def string) string {
	if v = strings.TrimSpace(strings.TrimPrefix(v, "v")); v != "" {
		return v
	}
	return def
}

// major returns the part of v before the first dot ("20.11.1" -> "20").
func major(v string) string {
	if i := strings.IndexByte(v, '.'); i > 0 {
		return v[:i]
	}
	return v
}

// floatMajor is major unless v pins one exact release ("20.12.2"), which
// is kept: detection reports an exact version only where the repository
// pins one, and the official images are tagged with every release.
func floatMajor(v string) string {
	if exactRelease(v) {
		return v
	}
	return major(v)
}

// floatMinor is minor unless v pins one exact release ("3.2.2"): Bundler
// refuses to run on another 3.2.x when the Gemfile pins 3.2.2.
func floatMinor(v string) string {
	if exactRelease(v) {
		return v
	}
	return minor(v)
}

// exactRelease reports whether v is X.Y.Z, all numeric.
func exactRelease(v string) bool {
	parts := strings.Split(v, ".")
	if len(parts) != 3 {
		return false
	}
	for _, p := range parts {
		if _, err := strconv.Atoi(p); err != nil || p == "" || p[0] == '+' || p[0] == '-' {
			return false
		}
	}
	return true
}

// minor returns major.minor of v ("3.12.4" -> "3.12").
func minor(v string) string {
	parts := strings.SplitN(v, ".", 3)
	if len(parts) >= 2 {
		return parts[0] + "." + parts[1]
	}
	return v
}

// cmdOr returns the exec form of start, or of def when start is empty.
func cmdOr(start, def string) string {
	if strings.TrimSpace(start) == "" {
		start = def
	}
	return ExecForm(start)
}

package detect

import (
	"fmt"
	"path"
	"sort"
	"strings"
)

// pyProject is the part of pyproject.toml detection reads (PEP 621,
// Poetry, PDM and uv tables).
type pyProject struct {
	Project struct {
		Name           string   `toml:"name"`
		RequiresPython string   `toml:"requires-python"`
		Dependencies   []string `toml:"dependencies"`
	} `toml:"project"`
	Tool struct {
		Poetry *struct {
			Name         string         `toml:"name"`
			Dependencies map[string]any `toml:"dependencies"`
		} `toml:"poetry"`
		PDM map[string]any `toml:"pdm"`
		UV  map[string]any `toml:"uv"`
	} `toml:"tool"`
}

// parsePyProject parses pyproject.toml content; errors name the line.
func parsePyProject(file string, b []byte) (*pyProject, error) {
	var p pyProject
	if err := parseTOML(file, b, &p); err != nil {
		return nil, err
	}
	return &p, nil
}

// pipfile is the part of a Pipfile detection reads.
type pipfile struct {
	Packages map[string]any `toml:"packages"`
	Requires struct {
		PythonVersion string `toml:"python_version"`
		// python_full_version pins the patch release (pipenv --python 3.11.9).
		PythonFullVersion string `toml:"python_full_version"`
	} `toml:"requires"`
}

// pyDeps is a Python app's dependency set, by normalised name.
type pyDeps map[string]bool

var reqNameRe = lazyRegexp(`^([A-Za-z0-9][A-Za-z0-9._-]*)`)

// add records a PEP 508 requirement ("Django>=4.2", "uvicorn[standard]").
func (d pyDeps) add(req string) {
	req = strings.TrimSpace(req)
	m := reqNameRe.FindStringSubmatch(req)
	if m == nil {
		return
	}
	name := pyNorm(m[1])
	d[name] = true
	// Extras are kept as name[extra]: fastapi[standard] brings uvicorn.
	if rest := strings.TrimSpace(req[len(m[1]):]); strings.HasPrefix(rest, "[") {
		if end := strings.IndexByte(rest, ']'); end > 0 {
			d.addExtras(name, strings.Split(rest[1:end], ","))
		}
	}
}

// addTable adds a Poetry or Pipfile dependency, whose table form may name
// extras: fastapi = {version = "^0.115", extras = ["standard"]}.
func (d pyDeps) addTable(name string, spec any) {
	d.add(name)
	if t, ok := spec.(map[string]any); ok {
		if list, ok := t["extras"].([]any); ok {
			var extras []string
			for _, e := range list {
				extras = append(extras, fmt.Sprint(e))
			}
			d.addExtras(pyNorm(name), extras)
		}
	}
}

func (d pyDeps) addExtras(name string, extras []string) {
	for _, e := range extras {
		if e = strings.TrimSpace(e); e != "" {
			d[name+"["+pyNorm(e)+"]"] = true
		}
	}
}

// pyNorm is the PEP 503 normalised name.
func pyNorm(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(strings.ToLower(s), "_", "-"), ".", "-")
}

func (d pyDeps) has(names ...string) bool {
	for _, n := range names {
		if d[n] {
			return true
		}
	}
	return false
}

func (d pyDeps) list() []string {
	out := make([]string, 0, len(d))
	for n := range d {
		out = append(out, n)
	}
	sort.Strings(out)
	return out
}

// readRequirements adds the requirements of file (following -r includes
// one level deep, as pip does for the usual base/prod split).
func readRequirements(a *App, file string, d pyDeps, depth int) {
	for _, line := range strings.Split(a.ReadString(file), "\n") {
		line = strings.TrimSpace(line)
		if i := strings.Index(line, " #"); i >= 0 {
			line = line[:i]
		}
		switch {
		case line == "", strings.HasPrefix(line, "#"):
		case strings.HasPrefix(line, "-r ") || strings.HasPrefix(line, "--requirement "):
			if depth < 2 {
				inc := strings.TrimSpace(line[strings.Index(line, " ")+1:])
				readRequirements(a, join(pathDir(file), inc), d, depth+1)
			}
		case strings.HasPrefix(line, "-"):
		default:
			d.add(line)
		}
	}
}

// requirementIncludes lists the files a requirements file pulls in with -r
// or -c, relative to the app (so requirements.txt holding
// "-r requirements/production.txt" names requirements/production.txt).
func requirementIncludes(a *App, file string) []string {
	var out []string
	for _, line := range strings.Split(a.ReadString(file), "\n") {
		f := strings.Fields(line)
		if len(f) < 2 {
			continue
		}
		switch f[0] {
		case "-r", "--requirement", "-c", "--constraint":
			out = append(out, path.Clean(join(pathDir(file), f[1])))
		}
	}
	return out
}

func pathDir(p string) string {
	if i := strings.LastIndex(p, "/"); i >= 0 {
		return p[:i]
	}
	return "."
}

var setupReqRe = lazyRegexp(`(?s)install_requires\s*=\s*\[(.*?)\]`)
var quotedRe = lazyRegexp(`["']([^"']+)["']`)

// readSetupPy adds install_requires of a setup.py, read as text: running
// it would execute the project's code.
func readSetupPy(a *App, d pyDeps) {
	m := setupReqRe.FindStringSubmatch(a.ReadString("setup.py"))
	if m == nil {
		return
	}
	for _, q := range quotedRe.FindAllStringSubmatch(m[1], -1) {
		d.add(q[1])
	}
}

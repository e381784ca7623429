package detect

import (
	"regexp"
	"strings"
)

var versionRe = regexp.MustCompile(`(\d+)(?:\.(\d+|x|\*))?`)

// normalizeVersion turns a version or constraint ("v20.11.0", ">=18",
// "^3.11", "~> 3.2.2", "18.x", "python-3.12.1") into an image-tag version:
// the major, or major.minor when parts is 2. It returns "" when no number
// is found. For a range the lowest version named is kept: it satisfies the
// constraint and is what the project was last known to work with.
func normalizeVersion(s string, parts int) string {
	m := versionRe.FindStringSubmatch(s)
	if m == nil {
		return ""
	}
	if parts == 1 || m[2] == "" || m[2] == "x" || m[2] == "*" {
		return m[1]
	}
	return m[1] + "." + m[2]
}

// toolVersions reads the asdf/mise .tool-versions line for tool in the
// app or, failing that, at the repository root.
func toolVersions(a *App, tools ...string) string {
	for _, p := range []string{a.Path(".tool-versions"), ".tool-versions"} {
		for _, line := range strings.Split(a.ix.ReadString(p), "\n") {
			f := strings.Fields(line)
			if len(f) >= 2 {
				for _, t := range tools {
					if f[0] == t {
						return f[1]
					}
				}
			}
		}
	}
	return ""
}

// firstLine returns the first non-empty, non-comment line of the app's file
// name (falling back to the repository root for monorepo members).
func firstLine(a *App, name string) string {
	for _, p := range []string{a.Path(name), name} {
		for _, line := range strings.Split(a.ix.ReadString(p), "\n") {
			line = strings.TrimSpace(line)
			if line != "" && !strings.HasPrefix(line, "#") {
				return line
			}
		}
		if a.Dir == "." {
			break
		}
	}
	return ""
}

// versionFrom tries each source in order and returns the first usable
// version with a signal naming where it came from.
// Sources that disagree with the chosen one are named in the signal, so a
// conflict is visible and explained.
func versionFrom(parts int, sources ...[2]string) (string, string) {
	chosen, sig := "", ""
	var others []string
	for _, s := range sources {
		v := normalizeVersion(s[1], parts)
		switch {
		case v == "" || s[1] == "":
		case chosen == "":
			chosen, sig = v, "runtime version "+v+" from "+s[0]
		case v != chosen:
			others = append(others, s[0]+" ("+v+")")
		}
	}
	if len(others) > 0 {
		sig += "; it takes precedence over " + strings.Join(others, ", ")
	}
	return chosen, sig
}

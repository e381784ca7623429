package detect

import (
	"strings"
)

var versionRe = lazyRegexp(`(\d+)(?:\.(\d+|x|\*))?`)

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
	vs := make([]versionSource, len(sources))
	for i, s := range sources {
		vs[i] = versionSource{from: s[0], value: s[1]}
	}
	return pinnedVersionFrom(parts, vs...)
}

// versionSource is one place a runtime version can come from. pin marks a
// source that states the exact version the project runs on (.ruby-version,
// Gemfile `ruby "3.2.2"`, .python-version, .nvmrc, rust-toolchain): an exact
// X.Y.Z there is kept whole, because tools enforce it (Bundler refuses to run
// on another 3.2.x when the Gemfile pins 3.2.2) and the project was tested on
// it. Other sources (minimums such as requires-python or Cargo's
// rust-version, records such as Gemfile.lock) are cut to parts.
type versionSource struct {
	from, value string
	pin         bool
}

var exactVersionRe = lazyRegexp(`^(?:==?\s*)?v?(\d+\.\d+\.\d+)$`)

// exactVersion returns X.Y.Z when s pins one exact release ("3.2.2",
// "v20.12.2", "==3.11.9"), else "". Ranges, pre-releases and
// two-part versions float.
func exactVersion(s string) string {
	if m := exactVersionRe.FindStringSubmatch(strings.TrimSpace(s)); m != nil {
		return m[1]
	}
	return ""
}

// pinnedVersionFrom is versionFrom with pin sources kept exact. A floating
// choice ("3.2" from .ruby-version) is refined by a later pin it admits
// (Gemfile `ruby "3.2.2"`), since the stricter pin is the one enforced.
func pinnedVersionFrom(parts int, sources ...versionSource) (string, string) {
	chosen, sig := "", ""
	var others []string
	for _, s := range sources {
		v := normalizeVersion(s.value, parts)
		if e := exactVersion(s.value); s.pin && e != "" {
			v = e
		}
		switch {
		case v == "" || s.value == "":
		case chosen == "":
			chosen, sig = v, "runtime version "+v+" from "+s.from
		case v == chosen:
		case s.pin && exactVersion(v) != "" && exactVersion(chosen) == "" && strings.HasPrefix(v, chosen+"."):
			sig += "; refined to " + v + " by " + s.from
			chosen = v
		case exactVersion(chosen) != "" && strings.HasPrefix(chosen, v+"."):
			// A floating source admits the exact pin: no conflict.
		default:
			others = append(others, s.from+" ("+v+")")
		}
	}
	if len(others) > 0 {
		sig += "; it takes precedence over " + strings.Join(others, ", ")
	}
	return chosen, sig
}

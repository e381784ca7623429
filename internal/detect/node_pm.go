package detect

import (
	"fmt"
	"strings"
)

// nodeLockfiles in precedence order for a conflict: a stray
// package-lock.json is what running plain npm in a yarn or pnpm repository
// leaves behind, so the less default manager is the deliberate one.
var nodeLockfiles = []struct{ file, pm string }{
	{"bun.lock", "bun"}, {"bun.lockb", "bun"}, {"pnpm-lock.yaml", "pnpm"},
	{"yarn.lock", "yarn"}, {"package-lock.json", "npm"}, {"npm-shrinkwrap.json", "npm"},
}

type pmChoice struct {
	name    string
	signals []string
}

// nodePackageManager decides the package manager: the packageManager field
// (Corepack's source of truth), else the lockfile, searched in the app and
// then in its workspace root.
func nodePackageManager(a *App, pkg *packageJSON) pmChoice {
	dirs := []string{a.Dir}
	if a.Workspace != nil && a.Workspace.Root != a.Dir {
		dirs = append(dirs, a.Workspace.Root)
	}
	field := pkg.PackageManager
	if field == "" && a.Workspace != nil {
		field = a.Workspace.PackageManagerField
	}
	var locks []string
	var lockPM []string
	for _, d := range dirs {
		for _, l := range nodeLockfiles {
			if a.ix.Has(join(d, l.file)) {
				locks = append(locks, join(d, l.file))
				lockPM = append(lockPM, l.pm)
			}
		}
		if len(locks) > 0 {
			break
		}
	}
	if field != "" {
		name, _, _ := strings.Cut(field, "@")
		c := pmChoice{name: name, signals: []string{"packageManager field: " + field}}
		for i, l := range locks {
			if lockPM[i] != name {
				c.signals = append(c.signals, fmt.Sprintf("ignored %s: the packageManager field says %s", l, name))
			}
		}
		return c
	}
	switch {
	case len(locks) == 0:
		if pkg.has("@types/bun", "bun-types") {
			return pmChoice{name: "bun", signals: []string{"no lockfile; Bun types in devDependencies: bun"}}
		}
		return pmChoice{name: "npm", signals: []string{"no lockfile: npm (the Node.js default)"}}
	case len(locks) == 1:
		return pmChoice{name: lockPM[0], signals: []string{locks[0] + " present"}}
	}
	c := pmChoice{name: lockPM[0], signals: []string{locks[0] + " present"}}
	for _, l := range locks[1:] {
		c.signals = append(c.signals, fmt.Sprintf("ignored %s: %s wins over it (lockfile precedence bun > pnpm > yarn > npm; set packageManager to override)", l, locks[0]))
	}
	return c
}

// ltsNames maps Node.js LTS codenames (.nvmrc "lts/iron") to majors.
var ltsNames = map[string]string{
	"argon": "4", "boron": "6", "carbon": "8", "dubnium": "10", "erbium": "12",
	"fermium": "14", "gallium": "16", "hydrogen": "18", "iron": "20", "jod": "22", "krypton": "24",
}

// nodeVersion reads the Node.js (or Bun) major from version files first,
// which pin, then engines, which is a range.
func nodeVersion(a *App, pkg *packageJSON, pm string, sig []string) (string, []string) {
	if pm == "bun" {
		v, s := versionFrom(1, [2]string{".bun-version", firstLine(a, ".bun-version")},
			[2]string{".tool-versions", toolVersions(a, "bun")},
			[2]string{"engines.bun", pkg.Engines["bun"]})
		if v != "" {
			sig = append(sig, s)
		}
		return v, sig
	}
	nvmrc := firstLine(a, ".nvmrc")
	if code, ok := strings.CutPrefix(strings.ToLower(nvmrc), "lts/"); ok {
		if v := ltsNames[code]; v != "" {
			return v, append(sig, "runtime version "+v+" from .nvmrc ("+nvmrc+")")
		}
		sig = append(sig, ".nvmrc says "+nvmrc+": no fixed version")
		nvmrc = ""
	}
	engines, enginesFrom := "", "engines.node (newest LTS in "+pkg.Engines["node"]+")"
	if e := pkg.Engines["node"]; exactVersion(e) != "" {
		engines, enginesFrom = e, "engines.node"
	} else if e != "" {
		engines = resolveNodeEngines(e)
	}
	v, s := pinnedVersionFrom(1,
		versionSource{".nvmrc", nvmrc, true},
		versionSource{".node-version", firstLine(a, ".node-version"), true},
		versionSource{".tool-versions", toolVersions(a, "nodejs", "node"), true},
		versionSource{enginesFrom, engines, true})
	if v != "" {
		sig = append(sig, s)
	}
	return v, sig
}

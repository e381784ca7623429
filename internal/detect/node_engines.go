package detect

import (
	"strconv"
	"strings"
)

// nodeLTS are the Node.js LTS majors an engines range is resolved
// against, oldest first. Update when a new LTS line starts.
var nodeLTS = []int{18, 20, 22, 24}

var semverCmpRe = lazyRegexp(`(>=|<=|>|<|\^|~|=)?\s*v?(\d+)(?:\.(\d+|x|\*))?(?:\.(\d+|x|\*))?`)

// resolveNodeEngines picks the newest LTS major that satisfies an
// engines.node range (">=18", "^18.17 || ^20.3 || >=21", ">=18 <21"):
// a range is a floor the app supports, and the newest LTS in it is what an
// operator would run. A range no LTS satisfies yields its lowest major.
func resolveNodeEngines(rng string) string {
	best := 0
	for _, alt := range strings.Split(rng, "||") {
		for _, lts := range nodeLTS {
			if lts > best && satisfiesAll(alt, lts) {
				best = lts
			}
		}
	}
	if best == 0 {
		return normalizeVersion(rng, 1)
	}
	return strconv.Itoa(best)
}

// satisfiesAll reports whether every comparator of one alternative of a
// range admits some version of the given major.
func satisfiesAll(alt string, major int) bool {
	cmps := semverCmpRe.FindAllStringSubmatch(alt, -1)
	if len(cmps) == 0 {
		return false
	}
	for _, c := range cmps {
		v, _ := strconv.Atoi(c[2])
		minor := c[3] != "" && c[3] != "x" && c[3] != "*" && c[3] != "0" || c[4] != "" && c[4] != "0" && c[4] != "x" && c[4] != "*"
		ok := false
		switch c[1] {
		case ">=":
			ok = major >= v
		case ">":
			ok = major > v || major == v && minor
		case "<":
			ok = major < v || major == v && minor
		case "<=":
			ok = major <= v
		default: // "^", "~", "=" and a bare version pin the major
			ok = major == v
		}
		if !ok {
			return false
		}
	}
	return true
}

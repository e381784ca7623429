package detect

import (
	"fmt"
	"regexp"
	"strconv"
)

// portRule is a pattern whose first group is a port stated in source.
type portRule struct {
	re   *regexp.Regexp
	what string
}

func rule(what, expr string) portRule {
	return portRule{re: regexp.MustCompile(expr), what: what}
}

// scanPort returns the first port any rule finds in files (app-relative),
// with a signal, or 0. Files are searched in order so that the entry point
// named by the start command wins over incidental files.
func scanPort(a *App, files []string, rules []portRule) (int, string) {
	for _, f := range files {
		src := a.Source(f)
		if src == "" {
			continue
		}
		for _, r := range rules {
			if m := r.re.FindStringSubmatch(src); m != nil {
				if p, _ := strconv.Atoi(m[1]); validPort(p) != 0 {
					return p, fmt.Sprintf("%s in %s sets port %d", r.what, a.Path(f), p)
				}
			}
		}
	}
	return 0, ""
}

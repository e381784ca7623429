package detect

import (
	"fmt"
	"strconv"
	"strings"
)

// portRule is a pattern whose first group is a port stated in source.
type portRule struct {
	re   *lazyRE
	what string
}

func rule(what, expr string) portRule {
	return portRule{re: lazyRegexp(expr), what: what}
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
			if loc := r.re.FindStringSubmatchIndex(src); loc != nil {
				if p, _ := strconv.Atoi(src[loc[2]:loc[3]]); validPort(p) != 0 {
					sig := fmt.Sprintf("%s in %s sets port %d", r.what, a.Path(f), p)
					if loopbackBind(sourceLine(src, loc[0], loc[1])) {
						sig += "; it binds the loopback interface only, which probes and other pods cannot reach: bind 0.0.0.0"
					}
					return p, sig
				}
			}
		}
	}
	return 0, ""
}

// loopbackMarks in the line that states the port mean the server listens on
// 127.0.0.1 only (axum's and hyper's examples, app.listen(3000,
// "localhost")): fine on a laptop, unreachable in a pod.
var loopbackMarks = []string{"127.0.0.1", `"localhost`, `'localhost`, "[127, 0, 0, 1]", "[127,0,0,1]", "Ipv4Addr::LOCALHOST"}

// loopbackBind reports whether a source line binds the loopback interface.
func loopbackBind(line string) bool {
	return containsAny(line, loopbackMarks)
}

// sourceLine returns the whole source line(s) around src[start:end].
func sourceLine(src string, start, end int) string {
	from := strings.LastIndexByte(src[:start], '\n') + 1
	to := strings.IndexByte(src[end:], '\n')
	if to < 0 {
		return src[from:]
	}
	return src[from : end+to]
}

// runtimeDirs are directories servers commonly read from disk at run time
// (gin's LoadHTMLGlob("templates/*"), http.Dir("static"), tower-http's
// ServeDir::new("static"), Tera's "templates/**/*").
var runtimeDirs = []string{"templates", "static", "public", "views", "web", "assets", "migrations", "locales"}

// diskDirs lists the runtime directories of the app that its source names
// in a string literal and does not embed (a line with embedMark and the
// directory): an image holding only the compiled binary would start
// without them (heroku/go-getting-started panics on its templates).
func diskDirs(a *App, files []string, embedMark string) []string {
	var b strings.Builder
	for _, f := range files {
		b.WriteString(a.Source(f))
		b.WriteByte('\n')
	}
	src := b.String()
	var out []string
	for _, d := range runtimeDirs {
		if !a.HasDir(d) || !containsAny(src, []string{`"` + d + `/`, `"` + d + `"`, `"./` + d}) || embeds(src, embedMark, d) {
			continue
		}
		out = append(out, d+"/")
	}
	return out
}

// embeds reports whether a line of src holding mark names dir.
func embeds(src, mark, dir string) bool {
	for _, line := range strings.Split(src, "\n") {
		if strings.Contains(line, mark) && strings.Contains(line, dir) {
			return true
		}
	}
	return false
}

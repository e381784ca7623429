package detect

import (
	"regexp"
	"sync"
)

// lazyRE is a regular expression compiled on its first use. Every capsule
// command, `capsule version` included, runs the package initialisation of
// the whole binary, and compiling the detectors' seventy-odd expressions
// there cost most of a megabyte and several milliseconds for commands that
// never detect anything. The expression is still checked at build time of
// the tests: TestLazyRegexpsCompile compiles every one.
type lazyRE struct {
	expr string
	get  func() *regexp.Regexp
}

// allLazyRE lists every lazyRE so a test can compile them all.
var allLazyRE []*lazyRE

func lazyRegexp(expr string) *lazyRE {
	l := &lazyRE{expr: expr, get: sync.OnceValue(func() *regexp.Regexp { return regexp.MustCompile(expr) })}
	allLazyRE = append(allLazyRE, l)
	return l
}

func (l *lazyRE) MatchString(s string) bool            { return l.get().MatchString(s) }
func (l *lazyRE) FindString(s string) string           { return l.get().FindString(s) }
func (l *lazyRE) FindStringIndex(s string) []int       { return l.get().FindStringIndex(s) }
func (l *lazyRE) FindStringSubmatch(s string) []string { return l.get().FindStringSubmatch(s) }
func (l *lazyRE) FindStringSubmatchIndex(s string) []int {
	return l.get().FindStringSubmatchIndex(s)
}
func (l *lazyRE) FindAllString(s string, n int) []string { return l.get().FindAllString(s, n) }
func (l *lazyRE) FindAllStringIndex(s string, n int) [][]int {
	return l.get().FindAllStringIndex(s, n)
}
func (l *lazyRE) FindAllStringSubmatch(s string, n int) [][]string {
	return l.get().FindAllStringSubmatch(s, n)
}
func (l *lazyRE) FindAllStringSubmatchIndex(s string, n int) [][]int {
	return l.get().FindAllStringSubmatchIndex(s, n)
}
func (l *lazyRE) ReplaceAllString(src, repl string) string {
	return l.get().ReplaceAllString(src, repl)
}
func (l *lazyRE) SubexpNames() []string          { return l.get().SubexpNames() }
func (l *lazyRE) FindSubmatch(b []byte) [][]byte { return l.get().FindSubmatch(b) }
func (l *lazyRE) ReplaceAll(src, repl []byte) []byte {
	return l.get().ReplaceAll(src, repl)
}
func (l *lazyRE) ReplaceAllStringFunc(src string, repl func(string) string) string {
	return l.get().ReplaceAllStringFunc(src, repl)
}

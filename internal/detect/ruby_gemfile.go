package detect

import (
	"errors"
	"fmt"
	"regexp"
	"strings"
)

// gemfile is what detection reads from a Gemfile.
type gemfile struct {
	gems map[string]bool
	ruby string
}

var (
	gemLineRe  = regexp.MustCompile(`^gem\s*\(?\s*["']([\w.-]+)["']`)
	rubyLineRe = regexp.MustCompile(`^ruby\s*\(?\s*["']([^"']+)["']`)
	doBlockRe  = regexp.MustCompile(`\bdo(\s*\|[^|]*\|)?\s*$`)
	endLineRe  = regexp.MustCompile(`^end\b`)
)

// parseGemfile reads a Gemfile without running it: gem and ruby lines,
// checked for unterminated strings and unbalanced do/end blocks so that a
// broken Gemfile is reported with its line, as bundler would.
func parseGemfile(file string, b []byte) (*gemfile, error) {
	g := &gemfile{gems: map[string]bool{}}
	var open []int
	for i, raw := range strings.Split(string(b), "\n") {
		line, err := stripRubyComment(raw)
		if err != nil {
			return nil, &ManifestError{File: file, Line: i + 1, Err: err}
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "gem"):
			m := gemLineRe.FindStringSubmatch(line)
			if m == nil && (line == "gem" || strings.HasPrefix(line, "gem ") || strings.HasPrefix(line, "gem(")) {
				return nil, &ManifestError{File: file, Line: i + 1, Err: fmt.Errorf("gem needs a quoted name: %q", clip(line))}
			}
			if m != nil {
				g.gems[m[1]] = true
			}
		case strings.HasPrefix(line, "ruby"):
			if m := rubyLineRe.FindStringSubmatch(line); m != nil {
				g.ruby = m[1]
			}
		}
		if doBlockRe.MatchString(line) {
			open = append(open, i+1)
		} else if endLineRe.MatchString(line) {
			if len(open) == 0 {
				return nil, &ManifestError{File: file, Line: i + 1, Err: errors.New("unexpected end: no block is open")}
			}
			open = open[:len(open)-1]
		}
	}
	if len(open) > 0 {
		return nil, &ManifestError{File: file, Line: open[len(open)-1], Err: errors.New("block opened with do is never closed with end")}
	}
	return g, nil
}

// stripRubyComment removes a trailing # comment outside strings and
// reports an unterminated string literal.
func stripRubyComment(line string) (string, error) {
	var quote rune
	for i, c := range line {
		switch {
		case quote != 0 && c == quote && (i == 0 || line[i-1] != '\\'):
			quote = 0
		case quote == 0 && (c == '"' || c == '\''):
			quote = c
		case quote == 0 && c == '#':
			return line[:i], nil
		}
	}
	if quote != 0 {
		return "", fmt.Errorf("unterminated string in %q", clip(strings.TrimSpace(line)))
	}
	return line, nil
}

var lockVersionRe = regexp.MustCompile(`(?m)^    ([\w.-]+) \(([\d.]+)`)
var lockRubyRe = regexp.MustCompile(`(?m)^RUBY VERSION\s+ruby ([\d.]+)`)

// gemLock returns the locked gem versions and Ruby version of Gemfile.lock.
func gemLock(src string) (map[string]string, string) {
	out := map[string]string{}
	for _, m := range lockVersionRe.FindAllStringSubmatch(src, -1) {
		out[m[1]] = m[2]
	}
	ruby := ""
	if m := lockRubyRe.FindStringSubmatch(src); m != nil {
		ruby = m[1]
	}
	return out, ruby
}

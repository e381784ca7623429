package detect

import (
	"fmt"
	"strings"
)

// gemfile is what detection reads from a Gemfile.
type gemfile struct {
	gems map[string]bool
	ruby string
	// warnings name the lines that could not be read; they were skipped.
	warnings []string
}

var (
	gemLineRe  = lazyRegexp(`^gem\s*\(?\s*["']([\w.-]+)["']`)
	rubyLineRe = lazyRegexp(`^ruby\s*\(?\s*["']([^"']+)["']`)
	doBlockRe  = lazyRegexp(`\bdo(\s*\|[^|]*\|)?\s*$`)
	// A keyword opening a block at the start of a statement (not the
	// modifier form `gem "x" if ENV["Y"]`, which has no end).
	kwBlockRe = lazyRegexp(`^(?:if|unless|case|begin|while|until|def|class|module)\b`)
	endLineRe = lazyRegexp(`^end\b`)
)

// parseGemfile reads a Gemfile without running it: gem and ruby lines. A
// Gemfile is a Ruby program (conditionals, loops, methods), so what cannot
// be read (an unterminated string, a gem without a quoted name, unbalanced
// blocks) is skipped with a warning naming the line, as the gems and the
// ruby pin that can be read are still right.
func parseGemfile(file string, b []byte) *gemfile {
	g := &gemfile{gems: map[string]bool{}}
	warn := func(line int, msg string) {
		if len(g.warnings) < 3 {
			g.warnings = append(g.warnings, fmt.Sprintf("warning: %s:%d: %s; skipped", file, line, msg))
		}
	}
	depth, opened := 0, 0
	for i, raw := range strings.Split(strings.TrimPrefix(string(b), "\ufeff"), "\n") {
		line, err := stripRubyComment(strings.TrimSuffix(raw, "\r"))
		if err != nil {
			warn(i+1, err.Error())
			continue
		}
		line = strings.TrimSpace(line)
		switch {
		case line == "":
			continue
		case strings.HasPrefix(line, "gem"):
			m := gemLineRe.FindStringSubmatch(line)
			if m == nil && (line == "gem" || strings.HasPrefix(line, "gem ") || strings.HasPrefix(line, "gem(")) {
				warn(i+1, fmt.Sprintf("gem without a quoted name: %q", clip(line)))
			}
			if m != nil {
				g.gems[m[1]] = true
			}
		case strings.HasPrefix(line, "ruby"):
			if m := rubyLineRe.FindStringSubmatch(line); m != nil {
				g.ruby = m[1]
			}
		}
		if doBlockRe.MatchString(line) || kwBlockRe.MatchString(line) {
			if depth == 0 {
				opened = i + 1
			}
			depth++
		} else if endLineRe.MatchString(line) {
			if depth == 0 {
				warn(i+1, "end without an open block")
				continue
			}
			depth--
		}
	}
	if depth > 0 {
		warn(opened, "block never closed with end")
	}
	return g
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

var lockVersionRe = lazyRegexp(`(?m)^    ([\w.-]+) \(([\d.]+)`)
var lockRubyRe = lazyRegexp(`(?m)^RUBY VERSION\s+ruby ([\d.]+)`)

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

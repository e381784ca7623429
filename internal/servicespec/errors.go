package servicespec

import (
	"fmt"
	"strings"
)

// Problem is one thing wrong in capsule.yaml.
type Problem struct {
	Line    int    `json:"line,omitempty"`
	Field   string `json:"field,omitempty"`
	Message string `json:"message"`
}

// Error lists every problem found in one file, each with its line.
type Error struct {
	File     string    `json:"file"`
	Problems []Problem `json:"problems"`
}

// Error formats one problem a line, like a compiler: file:line: field: message.
func (e *Error) Error() string {
	var b strings.Builder
	for i, p := range e.Problems {
		if i > 0 {
			b.WriteByte('\n')
		}
		b.WriteString(e.File)
		if p.Line > 0 {
			fmt.Fprintf(&b, ":%d", p.Line)
		}
		b.WriteString(": ")
		if p.Field != "" {
			b.WriteString(p.Field + ": ")
		}
		b.WriteString(p.Message)
	}
	return b.String()
}

// problems collects Problems, with the line of each field taken from the
// YAML node index.
type problems struct {
	lines map[string]int
	list  []Problem
}

// add records a problem at the field's line, or at the nearest parent that
// has one (a missing field is reported where its parent is).
func (p *problems) add(field, format string, args ...any) {
	p.list = append(p.list, Problem{Line: p.lineOf(field), Field: field, Message: fmt.Sprintf(format, args...)})
}

func (p *problems) lineOf(field string) int {
	for f := field; ; {
		if l, ok := p.lines[f]; ok {
			return l
		}
		i := strings.LastIndexByte(f, '.')
		if i < 0 {
			return p.lines[""]
		}
		f = f[:i]
	}
}

package diff

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"
)

// ANSI colours of the terminal renderer.
const (
	ansiRed   = "\x1b[31m"
	ansiGreen = "\x1b[32m"
	ansiCyan  = "\x1b[36m"
	ansiBold  = "\x1b[1m"
	ansiReset = "\x1b[0m"
)

// TextOptions tune RenderText.
type TextOptions struct {
	// Color adds ANSI colours (for terminals).
	Color bool
	// Context is the number of unchanged lines around a change; 0 means 3.
	Context int
}

// RenderText writes a unified diff of every added, removed and modified
// object, as normalized YAML with secrets redacted.
func RenderText(w io.Writer, r *Result, o TextOptions) error {
	ctx := o.Context
	if ctx <= 0 {
		ctx = 3
	}
	paint := func(c, s string) string {
		if !o.Color {
			return s
		}
		return c + s + ansiReset
	}
	var b strings.Builder
	fmt.Fprintf(&b, "%d added, %d removed, %d modified\n", len(r.Added), len(r.Removed), len(r.Modified))
	for _, od := range r.Objects {
		if od.Status == StatusUnchanged {
			continue
		}
		b.WriteString(paint(ansiBold, fmt.Sprintf("--- current/%s\n+++ proposed/%s (%s)\n", od.Resource, od.Resource, od.Status)))
		for _, op := range hunks(lineDiff(objectYAML(od.Current), objectYAML(od.Proposed)), ctx) {
			switch op.kind {
			case '@':
				b.WriteString(paint(ansiCyan, op.text) + "\n")
			case '+':
				b.WriteString(paint(ansiGreen, "+"+op.text) + "\n")
			case '-':
				b.WriteString(paint(ansiRed, "-"+op.text) + "\n")
			default:
				b.WriteString(" " + op.text + "\n")
			}
		}
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// RenderMarkdown writes the result for a pull-request comment: a summary,
// the added and removed objects, and per modified object a table of its
// field changes and a diff block.
func RenderMarkdown(w io.Writer, r *Result) error {
	var b strings.Builder
	fmt.Fprintf(&b, "**%d added, %d removed, %d modified**\n", len(r.Added), len(r.Removed), len(r.Modified))
	list := func(title string, keys []string) {
		if len(keys) == 0 {
			return
		}
		fmt.Fprintf(&b, "\n### %s\n\n", title)
		for _, k := range keys {
			fmt.Fprintf(&b, "- `%s`\n", k)
		}
	}
	list("Added", r.Added)
	list("Removed", r.Removed)
	for _, od := range r.Objects {
		if od.Status != StatusModified {
			continue
		}
		fmt.Fprintf(&b, "\n### Modified `%s`\n\n| Path | From | To |\n|---|---|---|\n", od.Resource)
		for _, c := range od.Changes {
			fmt.Fprintf(&b, "| `%s` | %s | %s |\n", c.Path, mdValue(c.From), mdValue(c.To))
		}
		b.WriteString("\n<details><summary>diff</summary>\n\n```diff\n")
		for _, op := range hunks(lineDiff(objectYAML(od.Current), objectYAML(od.Proposed)), 3) {
			if op.kind == '@' {
				b.WriteString(op.text + "\n")
				continue
			}
			b.WriteString(string(op.kind) + op.text + "\n")
		}
		b.WriteString("```\n\n</details>\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// mdValue renders a change value compactly for a table cell.
func mdValue(v any) string {
	if v == nil {
		return "—"
	}
	js, err := json.Marshal(v)
	if err != nil {
		return "?"
	}
	s := string(js)
	if r := []rune(s); len(r) > 80 {
		s = string(r[:77]) + "..."
	}
	s = strings.ReplaceAll(s, "|", `\|`)
	return "`" + strings.ReplaceAll(s, "`", "'") + "`"
}

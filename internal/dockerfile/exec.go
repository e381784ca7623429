package dockerfile

import (
	"encoding/json"
	"strings"
)

// shellSyntax are the characters that need a shell to mean what they say.
const shellSyntax = "$`|&;<>*?(){}\\"

// ExecForm returns cmd as the JSON array of an exec-form CMD. Plain commands
// are split into words (honouring quotes); commands that use shell syntax,
// or set variables before the command, run through sh -c so they keep
// working, with exec so the process still receives signals.
func ExecForm(cmd string) string {
	words := Words(cmd)
	var b strings.Builder
	enc := json.NewEncoder(&b)
	enc.SetEscapeHTML(false)
	_ = enc.Encode(words) // a []string always encodes
	return strings.ReplaceAll(strings.TrimSpace(b.String()), `","`, `", "`)
}

// Words returns cmd as the argument vector of an exec-form command (see
// ExecForm).
func Words(cmd string) []string {
	cmd = strings.TrimSpace(cmd)
	words, ok := splitWords(cmd)
	if !ok || strings.ContainsAny(stripQuoted(cmd), shellSyntax) || (len(words) > 0 && strings.Contains(words[0], "=")) {
		words = []string{"sh", "-c", shellCommand(cmd)}
	}
	return words
}

// splitWords splits s at blanks outside single or double quotes; ok is
// false for an unterminated quote.
func splitWords(s string) (words []string, ok bool) {
	var cur strings.Builder
	var quote rune
	inWord := false
	for _, r := range s {
		switch {
		case quote != 0 && r == quote:
			quote = 0
		case quote != 0:
			cur.WriteRune(r)
		case r == '"' || r == '\'':
			quote, inWord = r, true
		case r == ' ' || r == '\t':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteRune(r)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, quote == 0
}

// stripQuoted removes single-quoted parts, where shell characters are
// literal.
func stripQuoted(s string) string {
	var b strings.Builder
	in := false
	for _, r := range s {
		if r == '\'' {
			in = !in
			continue
		}
		if !in {
			b.WriteRune(r)
		}
	}
	return b.String()
}

// shellCommand prefixes exec when cmd is one command, so that the shell
// hands PID 1 to the process; command lists and commands that start with
// variable assignments keep the shell.
func shellCommand(cmd string) string {
	first, _, _ := strings.Cut(cmd, " ")
	if strings.ContainsAny(cmd, ";|&\n") || strings.Contains(first, "=") {
		return cmd
	}
	return "exec " + cmd
}

package render

import (
	"bytes"
	"encoding/json"
	"fmt"
	"sort"
	"strconv"
	"strings"
	"unicode/utf8"
)

// writeYAML writes a JSON-like value (maps with string keys, slices,
// strings, json.Number, bools, nil) as block YAML with sorted keys, the
// layout kubectl prints. It exists because converting through a generic
// YAML library costs milliseconds per object, and rendering a thousand
// services must take well under a second. Strings are written plain only
// when no YAML 1.1 or 1.2 parser can read them as anything else; otherwise
// they are double-quoted, with the escapes YAML and JSON share.
func writeYAML(b *bytes.Buffer, v map[string]any) {
	writeMap(b, v, 0, false)
}

func writeMap(b *bytes.Buffer, m map[string]any, indent int, inline bool) {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	for i, k := range keys {
		if i > 0 || !inline {
			pad(b, indent)
		}
		writeString(b, k)
		b.WriteByte(':')
		writeChild(b, m[k], indent, true)
	}
}

func writeList(b *bytes.Buffer, l []any, indent int) {
	for _, item := range l {
		pad(b, indent)
		b.WriteByte('-')
		writeChild(b, item, indent, false)
	}
}

// writeChild writes v after "key:" or "-"; nested lists under a key stay
// at the key's indentation, as kubectl writes them.
func writeChild(b *bytes.Buffer, v any, indent int, underKey bool) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 0 {
			b.WriteString(" {}\n")
		} else if underKey {
			b.WriteByte('\n')
			writeMap(b, x, indent+2, false)
		} else {
			b.WriteByte(' ')
			writeMap(b, x, indent+2, true)
		}
	case []any:
		switch {
		case len(x) == 0:
			b.WriteString(" []\n")
		case underKey:
			b.WriteByte('\n')
			writeList(b, x, indent)
		default:
			b.WriteByte('\n')
			writeList(b, x, indent+2)
		}
	default:
		b.WriteByte(' ')
		writeScalar(b, x)
		b.WriteByte('\n')
	}
}

func writeScalar(b *bytes.Buffer, v any) {
	switch x := v.(type) {
	case nil:
		b.WriteString("null")
	case bool:
		if x {
			b.WriteString("true")
		} else {
			b.WriteString("false")
		}
	case json.Number:
		b.WriteString(x.String())
	case int64:
		b.WriteString(strconv.FormatInt(x, 10))
	case float64:
		b.WriteString(strconv.FormatFloat(x, 'g', -1, 64))
	case string:
		writeString(b, x)
	default:
		// Not produced by encoding/json with UseNumber; written as JSON.
		j, _ := json.Marshal(x)
		b.Write(j)
	}
}

func writeString(b *bytes.Buffer, s string) {
	if plainSafe(s) {
		b.WriteString(s)
		return
	}
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"' || r == '\\':
			b.WriteByte('\\')
			b.WriteRune(r)
		case r == '\n':
			b.WriteString(`\n`)
		case r == '\t':
			b.WriteString(`\t`)
		case r < 0x20 || (r >= 0x7f && r <= 0x9f) || r == 0x2028 || r == 0x2029 || r == 0xfeff || r == utf8.RuneError:
			// YAML allows none of these raw, even inside quotes.
			fmt.Fprintf(b, `\u%04x`, r)
		default:
			b.WriteRune(r)
		}
	}
	b.WriteByte('"')
}

// reserved are the words YAML 1.1 or 1.2 read as booleans or null.
var reserved = map[string]bool{"true": true, "false": true, "yes": true, "no": true, "on": true, "off": true, "y": true, "n": true, "null": true, "~": true}

// plainSafe reports whether s reads back as the same string when written
// without quotes.
func plainSafe(s string) bool {
	if s == "" || reserved[strings.ToLower(s)] || s[0] == ' ' || s[len(s)-1] == ' ' || s[len(s)-1] == ':' {
		return false
	}
	if strings.ContainsRune("-?:,[]{}#&*!|>'\"%@`<=.+", rune(s[0])) && !(s[0] == '-' && len(s) > 1 && isLetter(s[1])) {
		return false
	}
	if s[0] >= '0' && s[0] <= '9' {
		return false // numbers, dates, octal, 1e3, 25%: quoted, never guessed
	}
	if strings.Contains(s, ": ") || strings.Contains(s, " #") {
		return false
	}
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x20 || c >= 0x7f {
			return false
		}
	}
	return true
}

func isLetter(c byte) bool { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') }

func pad(b *bytes.Buffer, n int) {
	for range n {
		b.WriteByte(' ')
	}
}

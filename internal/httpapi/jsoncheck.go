package httpapi

import (
	"unicode/utf8"

	"github.com/usecapsule/capsule"
)

// MaxJSONDepth bounds how deeply a request body's objects and arrays nest.
// No route's body goes deeper than a handful of levels; the bound keeps a
// hostile body (a million '[') from costing recursion in the decoder and in
// everything that later walks the value (audit summaries, settings).
const MaxJSONDepth = 32

// checkJSONBytes rejects what encoding/json would otherwise accept
// silently: invalid UTF-8 and unpaired surrogate escapes (both of which it
// replaces with U+FFFD, so a stored name would differ from what was sent)
// and nesting deeper than MaxJSONDepth. Each error names the byte offset. Syntax errors are left to the decoder,
// which names them better.
func checkJSONBytes(data []byte) error {
	if off := invalidUTF8At(data); off >= 0 {
		return invalid(capsule.CodeInvalidJSON, "body", "invalid UTF-8 at byte offset %d", off)
	}
	depth, inString := 0, false
	for i := 0; i < len(data); i++ {
		c := data[i]
		switch {
		case inString && c == '\\':
			n, ok := escapeLen(data[i:])
			if !ok {
				return invalid(capsule.CodeInvalidJSON, "body", "unpaired UTF-16 surrogate escape at byte offset %d", i)
			}
			i += n - 1
		case inString:
			inString = c != '"'
		case c == '"':
			inString = true
		case c == '{' || c == '[':
			depth++
			if depth > MaxJSONDepth {
				return invalid(capsule.CodeInvalidJSON, "body", "JSON nested deeper than %d levels at byte offset %d", MaxJSONDepth, i)
			}
		case c == '}' || c == ']':
			depth--
		}
	}
	return nil
}

// escapeLen returns the length of the escape sequence at the start of b (a
// backslash). A \u escape of a UTF-16 surrogate must be a high surrogate
// followed by a low one: encoding/json replaces a lone one with U+FFFD,
// the same silent change as invalid UTF-8.
func escapeLen(b []byte) (int, bool) {
	r := hex4(b, 1)
	switch {
	case r < 0:
		return min(2, len(b)), true // not \uXXXX; the decoder judges it
	case r >= 0xDC00 && r <= 0xDFFF:
		return 0, false
	case r >= 0xD800 && r <= 0xDBFF:
		if len(b) < 12 || b[6] != '\\' {
			return 0, false
		}
		if lo := hex4(b, 7); lo < 0xDC00 || lo > 0xDFFF {
			return 0, false
		}
		return 12, true
	}
	return 6, true
}

// hex4 reads "uXXXX" at b[at:], or returns -1.
func hex4(b []byte, at int) int {
	if len(b) < at+5 || b[at] != 'u' {
		return -1
	}
	r := 0
	for _, c := range b[at+1 : at+5] {
		switch {
		case c >= '0' && c <= '9':
			r = r<<4 | int(c-'0')
		case c >= 'a' && c <= 'f':
			r = r<<4 | int(c-'a'+10)
		case c >= 'A' && c <= 'F':
			r = r<<4 | int(c-'A'+10)
		default:
			return -1
		}
	}
	return r
}

// invalidUTF8At returns the offset of the first byte that is not part of
// valid UTF-8, or -1.
func invalidUTF8At(data []byte) int {
	if utf8.Valid(data) {
		return -1
	}
	for i := 0; i < len(data); {
		r, size := utf8.DecodeRune(data[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

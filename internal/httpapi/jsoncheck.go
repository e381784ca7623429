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
// silently: invalid UTF-8 (which it replaces with U+FFFD, so a stored name
// would differ from the bytes sent) and nesting deeper than MaxJSONDepth.
// Both errors name the byte offset. Syntax errors are left to the decoder,
// which names them better.
func checkJSONBytes(data []byte) error {
	if off := invalidUTF8At(data); off >= 0 {
		return invalid(capsule.CodeInvalidJSON, "body", "invalid UTF-8 at byte offset %d", off)
	}
	depth, inString, escaped := 0, false, false
	for i, c := range data {
		switch {
		case inString:
			switch {
			case escaped:
				escaped = false
			case c == '\\':
				escaped = true
			case c == '"':
				inString = false
			}
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

package detect

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"

	"github.com/BurntSushi/toml"
)

// ManifestError is a malformed manifest: the file (repository-relative),
// the 1-based line and column when the parser knows them, and what was
// wrong. Detection never fails on one: a detector reports it as a warning
// signal (see ignoredManifest) and carries on with what the other files
// say.
type ManifestError struct {
	File string
	Line int
	Col  int
	Err  error
}

// Error implements error as "file:line:col: message".
func (e *ManifestError) Error() string {
	switch {
	case e.Line > 0 && e.Col > 0:
		return fmt.Sprintf("%s:%d:%d: %v", e.File, e.Line, e.Col, e.Err)
	case e.Line > 0:
		return fmt.Sprintf("%s:%d: %v", e.File, e.Line, e.Err)
	}
	return fmt.Sprintf("%s: %v", e.File, e.Err)
}

// ignoredManifest is the warning signal for a manifest that cannot be
// parsed: one unreadable file must not lose the whole repository, so the
// detector goes on as if the file were empty and every field only that
// file could have told (name, dependencies, scripts, version) stays
// unknown.
func ignoredManifest(err error) string {
	return "warning: " + err.Error() + "; the file is ignored: what only it declares is unknown"
}

// colAt is the 1-based column (in bytes) of the byte at offset on its line.
func colAt(b []byte, offset int64) int {
	if offset > int64(len(b)) {
		offset = int64(len(b))
	}
	if offset < 0 {
		offset = 0
	}
	return int(offset) - bytes.LastIndexByte(b[:offset], '\n')
}

// Unwrap returns the parser's error.
func (e *ManifestError) Unwrap() error { return e.Err }

// lineAt converts a byte offset into a 1-based line number.
func lineAt(b []byte, offset int64) int {
	if offset > int64(len(b)) {
		offset = int64(len(b))
	}
	if offset < 0 {
		offset = 0
	}
	return bytes.Count(b[:offset], []byte("\n")) + 1
}

// parseJSON decodes a JSON manifest, turning the decoder's byte offsets into
// a line number so the user can find the mistake.
func parseJSON(file string, b []byte, v any) error {
	// Editors on Windows save a byte-order mark; npm and composer accept it.
	b = bytes.TrimPrefix(b, []byte("\xef\xbb\xbf"))
	err := json.Unmarshal(b, v)
	if err == nil {
		return nil
	}
	var syn *json.SyntaxError
	var typ *json.UnmarshalTypeError
	switch {
	case errors.As(err, &syn):
		// Offset counts the bytes read, the offending one included.
		at := max(syn.Offset-1, 0)
		return &ManifestError{File: file, Line: lineAt(b, at), Col: colAt(b, at),
			Err: errors.New("invalid JSON: " + syn.Error())}
	case errors.As(err, &typ):
		return &ManifestError{File: file, Line: lineAt(b, typ.Offset),
			Err: fieldTypeError{typ.Field, typ.Type.String(), typ.Value}}
	}
	return &ManifestError{File: file, Err: err}
}

// parseJSONLoose is parseJSON for manifests whose tools tolerate a field of
// an unexpected type (npm reads `"private": "true"`, which the
// jsbundling-rails installer writes; composer and Nx are as lenient): the
// decoder skips that field and fills every other one, and the mistake comes
// back as a warning naming the file, line and field instead of an error.
// Invalid JSON (a merge-conflict marker, a trailing comma) is a warning too:
// v is left empty (the decoder checks the whole document before filling
// anything) and the caller detects with what the other files say.
func parseJSONLoose(file string, b []byte, v any) (warning string) {
	err := parseJSON(file, b, v)
	switch {
	case err == nil:
		return ""
	case errors.As(err, new(fieldTypeError)):
		return "warning: " + err.Error() + "; the field is ignored"
	}
	return ignoredManifest(err)
}

// fieldTypeError is a JSON field of the wrong type.
type fieldTypeError struct{ field, want, got string }

func (e fieldTypeError) Error() string {
	return fmt.Sprintf("field %q must be %s, not %s", e.field, e.want, e.got)
}

// parseTOML decodes a TOML manifest; syntax errors carry their line.
func parseTOML(file string, b []byte, v any) error {
	_, err := toml.Decode(string(b), v)
	if err == nil {
		return nil
	}
	var pe toml.ParseError
	if errors.As(err, &pe) {
		col := pe.Position.Col
		if lines := bytes.Split(b, []byte("\n")); pe.Position.Line < 1 || pe.Position.Line > len(lines) || col > len(lines[pe.Position.Line-1])+1 {
			col = 0 // for a key defined twice the parser's column belongs to another line
		}
		return &ManifestError{File: file, Line: pe.Position.Line, Col: col, Err: errors.New("invalid TOML: " + pe.Message)}
	}
	return &ManifestError{File: file, Err: err}
}

// looseStrings is a JSON object of strings that tolerates other value
// types (an old "engines": ["node >= 0.8"] or a number), keeping only the
// string values: such fields are hints, not worth failing detection over.
type looseStrings map[string]string

// UnmarshalJSON implements json.Unmarshaler.
func (l *looseStrings) UnmarshalJSON(b []byte) error {
	var raw map[string]any
	if json.Unmarshal(b, &raw) != nil {
		*l = nil
		return nil
	}
	out := looseStrings{}
	for k, v := range raw {
		switch x := v.(type) {
		case string:
			out[k] = x
		case float64:
			out[k] = fmt.Sprint(x)
		}
	}
	*l = out
	return nil
}

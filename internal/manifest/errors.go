package manifest

import (
	"errors"
	"fmt"
	"strings"
)

// Error is one problem found while loading: the file, the document index
// (-1 when the problem concerns the whole file) and, for List documents, the
// item index (-1 otherwise).
type Error struct {
	File string
	Doc  int
	Item int
	Err  error
}

// Error implements error as "file: document N: item M: problem".
func (e *Error) Error() string {
	var b strings.Builder
	b.WriteString(e.File)
	if e.Doc >= 0 {
		fmt.Fprintf(&b, ": document %d", e.Doc)
	}
	if e.Item >= 0 {
		fmt.Fprintf(&b, ": item %d", e.Item)
	}
	b.WriteString(": ")
	b.WriteString(e.Err.Error())
	return b.String()
}

// Unwrap returns the underlying problem.
func (e *Error) Unwrap() error { return e.Err }

// LoadErrors lists every problem found by Load. Its message names them all,
// one per line, so a user can fix a whole directory in one go.
type LoadErrors []*Error

// Error implements error.
func (l LoadErrors) Error() string {
	msgs := make([]string, len(l))
	for i, e := range l {
		msgs[i] = e.Error()
	}
	if len(l) == 1 {
		return msgs[0]
	}
	return fmt.Sprintf("%d problems in manifests:\n  %s", len(l), strings.Join(msgs, "\n  "))
}

// Unwrap returns the individual errors, for errors.Is and errors.As.
func (l LoadErrors) Unwrap() []error {
	out := make([]error, len(l))
	for i, e := range l {
		out[i] = e
	}
	return out
}

// Problems that callers may test for with errors.Is.
var (
	ErrTooLarge    = errors.New("file is larger than the 10 MiB limit")
	ErrSymlinkLoop = errors.New("symbolic link loop")
	ErrInvalidYAML = errors.New("invalid YAML")
	ErrMissing     = errors.New("required field missing")
	ErrDuplicate   = errors.New("duplicate object")
	ErrInvalid     = errors.New("invalid object")
	ErrUnknownKind = errors.New("unknown kind")
)

func location(file string, doc int) string {
	return fmt.Sprintf("%s (document %d)", file, doc)
}

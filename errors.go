package capsule

import (
	"errors"
	"fmt"
)

// Kind classifies an error by what the caller can do about it. The HTTP layer
// maps each Kind to one status code in a single table; nothing else in the
// domain knows about transports.
type Kind int

// The kinds of domain error.
const (
	KindInternal        Kind = iota // a bug or an unavailable dependency; details are never shown
	KindInvalid                     // the input is wrong; Details name the bad fields
	KindNotFound                    // the entity does not exist (or is not visible to the caller)
	KindConflict                    // a uniqueness or version conflict
	KindPrecondition                // an If-Match precondition failed
	KindUnauthenticated             // no or bad credentials
	KindForbidden                   // authenticated but not allowed
	KindNotImplemented              // the capability does not exist yet
	KindTooLarge                    // the request body or a file is over a limit
	KindRateLimited                 // too many requests
	KindUnavailable                 // temporarily unable to serve (e.g. shutting down)
)

// Error is the domain's error value. Code is a stable machine-readable string
// (e.g. SERVICE_NOT_FOUND), Message is for people, Details carry structured
// context such as the list of invalid fields.
type Error struct {
	Kind    Kind
	Code    string
	Message string
	Details map[string]any
	Err     error // the cause, logged but never shown to API clients
}

// Error implements the error interface.
func (e *Error) Error() string {
	if e.Err != nil {
		return fmt.Sprintf("%s: %s: %v", e.Code, e.Message, e.Err)
	}
	return fmt.Sprintf("%s: %s", e.Code, e.Message)
}

// Unwrap returns the cause.
func (e *Error) Unwrap() error { return e.Err }

// Errorf returns an Error of the given kind and code.
func Errorf(kind Kind, code, format string, args ...any) *Error {
	return &Error{Kind: kind, Code: code, Message: fmt.Sprintf(format, args...)}
}

// NotFound returns the not-found error of an entity, e.g. NotFound("service", id)
// has code SERVICE_NOT_FOUND.
func NotFound(entity, id string) *Error {
	return &Error{
		Kind:    KindNotFound,
		Code:    NotFoundCode(entity),
		Message: fmt.Sprintf("%s %q not found", entity, id),
	}
}

// NotFoundCode is the code of NotFound(entity, ...), e.g. SERVICE_NOT_FOUND.
func NotFoundCode(entity string) string { return entityCode(entity) + "_NOT_FOUND" }

// AlreadyExists returns the conflict error for a duplicate unique key.
func AlreadyExists(entity, field, value string) *Error {
	return &Error{
		Kind:    KindConflict,
		Code:    entityCode(entity) + "_ALREADY_EXISTS",
		Message: fmt.Sprintf("%s with %s %q already exists", entity, field, value),
		Details: map[string]any{"field": field},
	}
}

// VersionConflict is returned when an update was based on a stale version.
func VersionConflict(entity, id string, expected, actual int64) *Error {
	return &Error{
		Kind:    KindConflict,
		Code:    CodeVersionConflict,
		Message: fmt.Sprintf("%s %q was modified concurrently: expected version %d, current version is %d", entity, id, expected, actual),
		Details: map[string]any{"expectedVersion": expected, "currentVersion": actual},
	}
}

// NotImplemented is returned by capabilities that do not exist yet.
func NotImplemented(what string) *Error {
	return &Error{Kind: KindNotImplemented, Code: CodeNotImplemented, Message: what + " is not implemented yet"}
}

// Internal wraps an unexpected error. Its message is generic on purpose.
func Internal(err error) *Error {
	return &Error{Kind: KindInternal, Code: CodeInternal, Message: "internal error", Err: err}
}

// ErrorKind returns the Kind of err, KindInternal for non-domain errors.
func ErrorKind(err error) Kind {
	var e *Error
	if errors.As(err, &e) {
		return e.Kind
	}
	return KindInternal
}

// ErrorCode returns the code of err, CodeInternal for non-domain errors.
func ErrorCode(err error) string {
	var e *Error
	if errors.As(err, &e) {
		return e.Code
	}
	return CodeInternal
}

// IsNotFound reports whether err is a not-found error.
func IsNotFound(err error) bool { return ErrorKind(err) == KindNotFound }

func entityCode(entity string) string {
	b := []byte(entity)
	for i, c := range b {
		switch {
		case c >= 'a' && c <= 'z':
			b[i] = c - 'a' + 'A'
		case c == ' ' || c == '-':
			b[i] = '_'
		}
	}
	return string(b)
}

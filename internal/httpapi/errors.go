package httpapi

import (
	"errors"
	"log/slog"
	"net/http"

	"github.com/usecapsule/capsule"
)

// statusByKind is the one table mapping domain error kinds to HTTP statuses.
var statusByKind = map[capsule.Kind]int{
	capsule.KindInternal:        http.StatusInternalServerError,
	capsule.KindInvalid:         http.StatusBadRequest,
	capsule.KindNotFound:        http.StatusNotFound,
	capsule.KindConflict:        http.StatusConflict,
	capsule.KindPrecondition:    http.StatusPreconditionFailed,
	capsule.KindUnauthenticated: http.StatusUnauthorized,
	capsule.KindForbidden:       http.StatusForbidden,
	capsule.KindNotImplemented:  http.StatusNotImplemented,
	capsule.KindTooLarge:        http.StatusRequestEntityTooLarge,
	capsule.KindRateLimited:     http.StatusTooManyRequests,
	capsule.KindUnavailable:     http.StatusServiceUnavailable,
}

// ErrorBody is the shape of every error response.
type ErrorBody struct {
	Error ErrorDetail `json:"error"`
}

// ErrorDetail is the content of an error response.
type ErrorDetail struct {
	Code    string         `json:"code"`
	Message string         `json:"message"`
	Details map[string]any `json:"details"`
}

// statusByCode overrides the kind's status for the codes that HTTP itself
// gives a status of their own: they are what a client retries differently.
var statusByCode = map[string]int{
	capsule.CodeMethodNotAllowed: http.StatusMethodNotAllowed,
	capsule.CodeHeadersTooLarge:  http.StatusRequestHeaderFieldsTooLarge,
}

// StatusOf returns the HTTP status of err according to the code and kind
// tables.
func StatusOf(err error) int {
	if s, ok := statusByCode[capsule.ErrorCode(err)]; ok && capsule.ErrorKind(err) != capsule.KindInternal {
		return s
	}
	if s, ok := statusByKind[capsule.ErrorKind(err)]; ok {
		return s
	}
	return http.StatusInternalServerError
}

// writeError is the one place that turns an error into a response. Internal
// errors are logged with their cause and answered with a generic message and
// the request ID, so nothing about the failure leaks to the client.
func writeError(w http.ResponseWriter, r *http.Request, log *slog.Logger, err error) {
	status := StatusOf(err)
	body := ErrorDetail{Code: capsule.CodeInternal, Message: "internal error", Details: map[string]any{}}
	var de *capsule.Error
	if status != http.StatusInternalServerError && errors.As(err, &de) {
		body.Code, body.Message = de.Code, de.Message
		if de.Details != nil {
			body.Details = de.Details
		}
	} else {
		body.Details["requestId"] = requestID(r.Context())
		log.ErrorContext(r.Context(), "request failed", "requestId", requestID(r.Context()),
			"method", r.Method, "path", r.URL.Path, "error", err.Error())
	}
	if status == http.StatusUnauthorized {
		w.Header().Set("WWW-Authenticate", `Bearer realm="capsule"`)
	}
	writeJSON(w, status, ErrorBody{Error: body})
}

// invalid returns a KindInvalid error with the given code and one bad field.
func invalid(code, field, format string, args ...any) error {
	var v capsule.Validation
	v.Add(field, format, args...)
	e := v.Err().(*capsule.Error)
	e.Code = code
	e.Message = field + ": " + e.Details["fields"].([]capsule.FieldError)[0].Message
	return e
}

package httpapi

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/usecapsule/capsule"
)

func itoa(n int) string { return strconv.Itoa(n) }

var bufPool = sync.Pool{New: func() any { return new(bytes.Buffer) }}

// writeJSON encodes v into a pooled buffer first, so an encoding failure can
// still become a clean 500 and Content-Length is always set (keep-alive
// clients then never see chunked bodies).
func writeJSON(w http.ResponseWriter, status int, v any) {
	buf := bufPool.Get().(*bytes.Buffer)
	buf.Reset()
	defer bufPool.Put(buf)
	if err := json.NewEncoder(buf).Encode(v); err != nil {
		buf.Reset()
		status = http.StatusInternalServerError
		buf.WriteString(`{"error":{"code":"INTERNAL","message":"internal error","details":{}}}` + "\n")
	}
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", itoa(buf.Len()))
	w.WriteHeader(status)
	_, _ = w.Write(buf.Bytes())
}

// decodeJSON reads exactly one JSON value into dst. Unknown fields, trailing
// data, an empty body and a body over the limit are errors naming the problem.
//
// The body is read whole first (the API's MaxBytesReader bounds it) so that
// invalid UTF-8 and excessive nesting are refused before decoding; see
// checkJSONBytes.
func decodeJSON(r *http.Request, dst any) error {
	data, err := io.ReadAll(r.Body)
	if err != nil {
		return jsonError(err)
	}
	if err := checkJSONBytes(data); err != nil {
		return err
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.DisallowUnknownFields()
	if err := dec.Decode(dst); err != nil {
		return jsonError(err)
	}
	var extra json.RawMessage
	switch err := dec.Decode(&extra); {
	case errors.Is(err, io.EOF):
		return nil
	case err != nil:
		if tooLarge(err) {
			return jsonError(err)
		}
		return invalid(capsule.CodeInvalidJSON, "body", "unexpected data after the JSON value at offset %d", dec.InputOffset())
	default:
		return invalid(capsule.CodeInvalidJSON, "body", "unexpected data after the JSON value at offset %d", dec.InputOffset()-int64(len(extra)))
	}
}

func tooLarge(err error) bool {
	var mb *http.MaxBytesError
	return errors.As(err, &mb)
}

// jsonError turns a decoding error into a KindInvalid (or KindTooLarge) error.
func jsonError(err error) error {
	var (
		syn *json.SyntaxError
		typ *json.UnmarshalTypeError
		mb  *http.MaxBytesError
	)
	switch {
	case errors.As(err, &mb):
		return &capsule.Error{Kind: capsule.KindTooLarge, Code: capsule.CodeTooLarge,
			Message: fmt.Sprintf("request body is larger than %d bytes", mb.Limit),
			Details: map[string]any{"limitBytes": mb.Limit}}
	case errors.Is(err, io.EOF):
		return invalid(capsule.CodeInvalidJSON, "body", "request body is empty; a JSON object is required")
	case errors.Is(err, io.ErrUnexpectedEOF):
		return invalid(capsule.CodeInvalidJSON, "body", "malformed JSON: unexpected end of input")
	case errors.As(err, &syn):
		return invalid(capsule.CodeInvalidJSON, "body", "malformed JSON at offset %d: %s", syn.Offset, syn.Error())
	case errors.As(err, &typ):
		field := typ.Field
		if field == "" {
			field = "body"
		}
		return invalid(capsule.CodeInvalidJSON, field, "expected %s, got JSON %s", typ.Type.String(), typ.Value)
	case strings.HasPrefix(err.Error(), "json: unknown field "):
		name := strings.Trim(strings.TrimPrefix(err.Error(), "json: unknown field "), `"`)
		return invalid(capsule.CodeUnknownField, name, "unknown field %q", name)
	default:
		return invalid(capsule.CodeInvalidJSON, "body", "malformed JSON: %s", err.Error())
	}
}

package httpapi

import (
	"errors"
	"io"
	"mime"
	"mime/multipart"
	"net/http"

	"github.com/usecapsule/capsule"
)

// importBody is the uploaded file: the part named "file" of a multipart
// form, else the raw body. Either way it is read as it arrives: the import
// route is an Upload route, so nothing before the handler read it.
func importBody(r *http.Request) (io.Reader, error) {
	mt, params, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "multipart/form-data" {
		return r.Body, nil
	}
	mr := multipart.NewReader(r.Body, params["boundary"])
	for {
		p, err := mr.NextPart()
		if err != nil {
			return nil, invalid(capsule.CodeValidation, "file", "the multipart form has no part named file")
		}
		if p.FormName() == "file" {
			return p, nil
		}
	}
}

// uploadBody remembers the error that ended reading a streamed body. The
// billing reader reports a failed read as a bad file; when the cause was
// the body limit (a body sent without Content-Length grows past it), the
// answer is 413, as for an announced body over the limit.
type uploadBody struct {
	rc  io.ReadCloser
	err error
}

// Read reads the body, keeping its first failure.
func (u *uploadBody) Read(p []byte) (int, error) {
	n, err := u.rc.Read(p)
	if err != nil && err != io.EOF && u.err == nil {
		u.err = err
	}
	return n, err
}

// Close closes the body.
func (u *uploadBody) Close() error { return u.rc.Close() }

// cause is err, or the body limit's error when reading hit it.
func (u *uploadBody) cause(err error) error {
	var mb *http.MaxBytesError
	if errors.As(u.err, &mb) {
		return jsonError(mb)
	}
	return err
}

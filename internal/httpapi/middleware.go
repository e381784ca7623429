package httpapi

import (
	"fmt"
	"net/http"
	"time"

	"github.com/usecapsule/capsule"
)

// statusWriter records the status of a response. Before a route has claimed
// the request (info.route empty) a status written is the ServeMux's own 404
// or 405, which it replaces with the API's JSON error shape.
type statusWriter struct {
	http.ResponseWriter
	r       *http.Request
	api     *API
	status  int
	swallow bool
}

func (s *statusWriter) WriteHeader(code int) {
	if s.status != 0 {
		return
	}
	s.status = code
	if infoFrom(s.r.Context()).route == "" && code >= 400 {
		s.swallow = true
		s.writeMuxError(code)
		return
	}
	s.ResponseWriter.WriteHeader(code)
}

func (s *statusWriter) Write(b []byte) (int, error) {
	if s.status == 0 {
		s.WriteHeader(http.StatusOK)
	}
	if s.swallow {
		return len(b), nil
	}
	return s.ResponseWriter.Write(b)
}

func (s *statusWriter) writeMuxError(code int) {
	h := s.ResponseWriter.Header()
	var err error
	if code == http.StatusMethodNotAllowed {
		err = &capsule.Error{Kind: capsule.KindInvalid, Code: CodeMethodNotAllowed,
			Message: fmt.Sprintf("method %s is not allowed on %s (allowed: %s)", s.r.Method, s.r.URL.Path, h.Get("Allow"))}
		writeErrorStatus(s.ResponseWriter, code, err)
		return
	}
	err = capsule.Errorf(capsule.KindNotFound, capsule.CodeNotFound, "no route for %s %s", s.r.Method, s.r.URL.Path)
	writeErrorStatus(s.ResponseWriter, code, err)
}

// writeErrorStatus writes a domain error with an explicit status, for the
// two router answers (404, 405) that have no domain kind of their own.
func writeErrorStatus(w http.ResponseWriter, status int, err error) {
	e := err.(*capsule.Error)
	writeJSON(w, status, ErrorBody{Error: ErrorDetail{Code: e.Code, Message: e.Message, Details: map[string]any{}}})
}

// ServeHTTP runs the outer middleware: request ID, body limit, panic
// recovery, metrics and the access log, around the router.
func (a *API) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	start := time.Now()
	info := &reqInfo{id: cleanRequestID(r.Header.Get("X-Request-ID"))}
	if info.id == "" {
		info.id = newRequestID()
	}
	w.Header().Set("X-Request-ID", info.id)
	// Every response carries the security headers, also the ones no route
	// writes (the router's 404/405, an oversized body, a recovered panic);
	// a route's guard sets them again for its own content.
	setSecurityHeaders(w, r, Route{})
	r = r.WithContext(withInfo(r.Context(), info))
	sw := &statusWriter{ResponseWriter: w, r: r, api: a}
	defer a.finish(sw, r, start)
	if r.ContentLength > a.maxBody {
		info.route = "oversized"
		writeError(sw, r, a.log, jsonError(&http.MaxBytesError{Limit: a.maxBody}))
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(sw, r.Body, a.maxBody)
	}
	a.mux.ServeHTTP(sw, r)
}

// finish recovers a panic into a 500, then records metrics and the access log.
func (a *API) finish(sw *statusWriter, r *http.Request, start time.Time) {
	if p := recover(); p != nil {
		if p == http.ErrAbortHandler {
			panic(p)
		}
		err := fmt.Errorf("panic: %v", p)
		if sw.status == 0 {
			writeError(sw, r, a.log, err)
		} else {
			a.log.ErrorContext(r.Context(), "panic after response started", "requestId", requestID(r.Context()), "error", err.Error())
		}
	}
	if sw.status == 0 {
		sw.status = http.StatusOK
	}
	info := infoFrom(r.Context())
	route := info.route
	if route == "" {
		route = "unmatched"
	}
	elapsed := time.Since(start)
	a.metrics.observe(route, sw.status, elapsed)
	if a.accessLog {
		a.log.InfoContext(r.Context(), "request", "requestId", info.id, "method", r.Method, "path", r.URL.Path,
			"route", route, "status", sw.status, "durationMs", float64(elapsed.Microseconds())/1000)
	}
}

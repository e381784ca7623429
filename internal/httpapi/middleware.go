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

// Unwrap lets http.ResponseController (deadlines, hijacking for the events
// WebSocket) reach the connection's writer.
func (s *statusWriter) Unwrap() http.ResponseWriter { return s.ResponseWriter }

func (s *statusWriter) writeMuxError(code int) {
	err := capsule.Errorf(capsule.KindNotFound, capsule.CodeNotFound, "no route for %s %s", s.r.Method, s.r.URL.Path)
	if code == http.StatusMethodNotAllowed {
		err = capsule.Errorf(capsule.KindInvalid, capsule.CodeMethodNotAllowed, "method %s is not allowed on %s (allowed: %s)",
			s.r.Method, s.r.URL.Path, s.ResponseWriter.Header().Get("Allow"))
	}
	writeError(s.ResponseWriter, s.r, s.api.log, err)
}

// MaxHeaderBytes bounds a request's line and headers. It is checked here,
// rather than by http.Server alone, so the answer is a 431 in the API's JSON
// error shape; the server's own limit (ServerMaxHeaderBytes) is set far
// higher and only stops requests so large that reading them is the attack,
// which then get Go's plain-text 431.
const MaxHeaderBytes = 64 << 10

// ServerMaxHeaderBytes is the http.Server limit to pair with MaxHeaderBytes.
const ServerMaxHeaderBytes = 1 << 20

// headerBytes approximates what http.Server counts against MaxHeaderBytes:
// the request line and every header line with its separators.
func headerBytes(r *http.Request) int {
	n := len(r.Method) + len(r.RequestURI) + len(r.Proto) + 4 + len("Host: ") + len(r.Host) + 2
	for k, vs := range r.Header {
		for _, v := range vs {
			n += len(k) + len(v) + 4
		}
	}
	return n
}

// ServeHTTP runs the outer middleware: request ID, header and body limits, panic
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
	if n := headerBytes(r); n > MaxHeaderBytes {
		info.route = "oversized"
		writeError(sw, r, a.log, &capsule.Error{Kind: capsule.KindTooLarge, Code: capsule.CodeHeadersTooLarge,
			Message: fmt.Sprintf("request line and headers are %d bytes, over the limit of %d", n, MaxHeaderBytes),
			Details: map[string]any{"limitBytes": MaxHeaderBytes}})
		return
	}
	limit := a.bodyLimit(r)
	if r.ContentLength > limit {
		info.route = "oversized"
		writeError(sw, r, a.log, jsonError(&http.MaxBytesError{Limit: limit}))
		return
	}
	if r.Body != nil {
		r.Body = http.MaxBytesReader(sw, r.Body, limit)
	}
	a.mux.ServeHTTP(sw, r)
}

// bodyLimit is the request body limit of the route r goes to: the upload
// limit for routes marked Upload, else the API's.
func (a *API) bodyLimit(r *http.Request) int64 {
	if _, pattern := a.mux.Handler(r); a.uploads[pattern] {
		return a.maxUpload
	}
	return a.maxBody
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
	status := sw.status
	if info.status != 0 {
		status = info.status
	}
	elapsed := time.Since(start)
	a.metrics.observe(route, status, elapsed)
	if a.accessLog {
		a.log.InfoContext(r.Context(), "request", "requestId", info.id, "method", r.Method, "path", r.URL.Path,
			"route", route, "status", status, "durationMs", float64(elapsed.Microseconds())/1000)
	}
}

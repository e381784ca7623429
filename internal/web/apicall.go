package web

import (
	"bytes"
	"context"
	"crypto/sha256"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sync"
	"time"
)

// apiError is an API error answer, kept with its status so the page shows
// the API's own verdict (403 stays 403).
type apiError struct {
	Status  int
	Code    string
	Message string
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// apiResponse is a buffered answer of the in-process API.
type apiResponse struct {
	status int
	header http.Header
	body   bytes.Buffer
}

func (a *apiResponse) Header() http.Header { return a.header }
func (a *apiResponse) WriteHeader(code int) {
	if a.status == 0 {
		a.status = code
	}
}
func (a *apiResponse) Write(p []byte) (int, error) {
	if a.status == 0 {
		a.status = http.StatusOK
	}
	return a.body.Write(p)
}

// callAPI sends one request to the in-process API as the browser's
// request would reach it: same client address, host and TLS state (so
// rate limits, audit entries and trusted-proxy rules see the real client),
// with token as the bearer credential when set.
func (h *Handler) callAPI(ctx context.Context, from *http.Request, method, path, token string, body any) (*apiResponse, error) {
	var rd io.Reader = http.NoBody
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return nil, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, path, rd)
	if err != nil {
		return nil, err
	}
	req.RemoteAddr, req.Host, req.TLS = from.RemoteAddr, from.Host, from.TLS
	req.Header.Set("Accept", "application/json")
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if ua := from.Header.Get("User-Agent"); ua != "" {
		req.Header.Set("User-Agent", ua)
	}
	for _, k := range []string{"X-Forwarded-For", "X-Real-Ip", "Forwarded"} {
		if v := from.Header.Values(k); len(v) > 0 {
			req.Header[k] = v
		}
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	res := &apiResponse{header: http.Header{}}
	h.api.ServeHTTP(res, req)
	if res.status == 0 {
		res.status = http.StatusOK
	}
	return res, nil
}

// decode turns an answer into out, or an *apiError for a 4xx/5xx.
func (a *apiResponse) decode(out any) error {
	if a.status >= 400 {
		var e struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
			} `json:"error"`
		}
		_ = json.Unmarshal(a.body.Bytes(), &e)
		if e.Error.Message == "" {
			e.Error.Message = http.StatusText(a.status)
		}
		return &apiError{Status: a.status, Code: e.Error.Code, Message: e.Error.Message}
	}
	if out == nil || a.body.Len() == 0 {
		return nil
	}
	return json.Unmarshal(a.body.Bytes(), out)
}

// tokenAnswer is the API's TokenResponse.
type tokenAnswer struct {
	AccessToken  string `json:"access_token"`
	RefreshToken string `json:"refresh_token"`
	ExpiresIn    int    `json:"expires_in"`
}

// newSession turns a token answer into a session; id keeps the CSRF
// binding of a refreshed session, empty starts a new one.
func (h *Handler) newSession(t tokenAnswer, id string) *session {
	if id == "" {
		id = randomID()
	}
	return &session{ID: id, Access: t.AccessToken, Refresh: t.RefreshToken,
		Expires: h.now().Add(time.Duration(t.ExpiresIn) * time.Second)}
}

// refresher exchanges refresh tokens once each. The API treats a refresh
// token used twice as theft and revokes the whole sign-in, so requests a
// browser sends together with the same expired session must share one
// exchange: the first runs it, the others wait for its answer, which is
// kept for two minutes.
type refresher struct {
	h     *Handler
	mu    sync.Mutex
	calls map[[32]byte]*refreshCall
}

type refreshCall struct {
	done chan struct{}
	at   time.Time
	s    *session
	err  error
}

func newRefresher(h *Handler) *refresher {
	return &refresher{h: h, calls: map[[32]byte]*refreshCall{}}
}

func (f *refresher) do(r *http.Request, old *session) (*session, error) {
	key := sha256.Sum256([]byte(old.Refresh))
	now := f.h.now()
	f.mu.Lock()
	for k, c := range f.calls {
		if now.Sub(c.at) > 2*time.Minute {
			delete(f.calls, k)
		}
	}
	c, ok := f.calls[key]
	if !ok {
		c = &refreshCall{done: make(chan struct{}), at: now}
		f.calls[key] = c
	}
	f.mu.Unlock()
	if ok {
		<-c.done
		return c.s, c.err
	}
	defer close(c.done)
	// The exchange outlives a browser that leaves mid-request: others wait on it.
	res, err := f.h.callAPI(context.WithoutCancel(r.Context()), r, "POST", "/api/v1/auth/refresh", "", map[string]string{"refresh_token": old.Refresh})
	if err != nil {
		c.err = err
		return nil, err
	}
	var t tokenAnswer
	if c.err = res.decode(&t); c.err != nil {
		return nil, c.err
	}
	c.s = f.h.newSession(t, old.ID)
	return c.s, nil
}

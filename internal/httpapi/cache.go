package httpapi

import (
	"net/http"
	"sync"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/identity/token"
)

// readCache holds encoded list responses and memberships, valid for the
// store generation they were read at and for at most ttl. It is cleared
// when full rather than evicting one by one: entries are cheap to rebuild
// and a write invalidates them all anyway.
type readCache struct {
	gen func() uint64 // the store generation entries are checked against
	ttl time.Duration
	max int

	mu      sync.RWMutex
	entries map[string]cacheEntry
}

type cacheEntry struct {
	gen   uint64
	at    time.Time
	value any
}

func newReadCache(gen func() uint64, ttl time.Duration, max int) *readCache {
	return &readCache{gen: gen, ttl: ttl, max: max, entries: map[string]cacheEntry{}}
}

func (c *readCache) get(key string, now time.Time) (any, bool) {
	c.mu.RLock()
	e, ok := c.entries[key]
	c.mu.RUnlock()
	if !ok || e.gen != c.gen() || now.Sub(e.at) > c.ttl {
		return nil, false
	}
	return e.value, true
}

// put stores value read at generation gen; a value read before the latest
// write is dropped.
func (c *readCache) put(key string, gen uint64, now time.Time, value any) {
	if gen != c.gen() {
		return
	}
	c.mu.Lock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[key] = cacheEntry{gen: gen, at: now, value: value}
	c.mu.Unlock()
}

// captureWriter passes a response through and keeps a copy of its body.
type captureWriter struct {
	http.ResponseWriter
	status int
	body   []byte
}

func (w *captureWriter) WriteHeader(code int) {
	if w.status == 0 {
		w.status = code
	}
	w.ResponseWriter.WriteHeader(code)
}

func (w *captureWriter) Write(b []byte) (int, error) {
	if w.status == 0 {
		w.status = http.StatusOK
	}
	w.body = append(w.body, b...)
	return w.ResponseWriter.Write(b)
}

// serveCached answers a cacheable GET from the cache, or runs the handler
// and keeps its 200 response. The key includes the user, because lists are
// filtered by the caller's organizations.
func (a *API) serveCached(w http.ResponseWriter, r *http.Request, h handlerFunc) error {
	key := "r\x00" + CallerFrom(r.Context()).UserID + "\x00" + r.URL.RequestURI()
	now := a.now()
	if b, ok := a.cache.get(key, now); ok {
		writeRaw(w, http.StatusOK, b.([]byte))
		return nil
	}
	gen := a.cache.gen()
	cw := &captureWriter{ResponseWriter: w}
	if err := h(cw, r); err != nil {
		return err
	}
	if cw.status == http.StatusOK {
		a.cache.put(key, gen, now, cw.body)
	}
	return nil
}

// writeRaw writes an already encoded JSON body.
func writeRaw(w http.ResponseWriter, status int, b []byte) {
	h := w.Header()
	h.Set("Content-Type", "application/json; charset=utf-8")
	h.Set("Content-Length", itoa(len(b)))
	w.WriteHeader(status)
	_, _ = w.Write(b)
}

// memberships returns the user's memberships, cached per store generation.
func (a *API) memberships(r *http.Request, userID string) ([]capsule.Member, error) {
	if a.members == nil {
		return a.cfg.Store.ListMemberships(r.Context(), userID)
	}
	now := a.now()
	if v, ok := a.members.get(userID, now); ok {
		return v.([]capsule.Member), nil
	}
	gen := a.members.gen()
	ms, err := a.cfg.Store.ListMemberships(r.Context(), userID)
	if err == nil {
		a.members.put(userID, gen, now, ms)
	}
	return ms, err
}

// tokenCache remembers verified access tokens until they expire, so the hot
// path skips the HMAC and JSON parsing of a token it has already checked.
// A token is only ever added after a successful Verify.
type tokenCache struct {
	mu      sync.RWMutex
	max     int
	entries map[string]*token.Claims
}

func (c *tokenCache) verify(iss *token.Issuer, tok string, now time.Time) (*token.Claims, error) {
	c.mu.RLock()
	cl, ok := c.entries[tok]
	c.mu.RUnlock()
	if ok && now.Before(cl.ExpiresAt) {
		return cl, nil
	}
	cl, err := iss.Verify(tok, now)
	if err != nil {
		return nil, err
	}
	c.mu.Lock()
	if len(c.entries) >= c.max {
		clear(c.entries)
	}
	c.entries[tok] = cl
	c.mu.Unlock()
	return cl, nil
}

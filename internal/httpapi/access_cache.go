package httpapi

import (
	"sync"
	"time"
)

// accessCache remembers, for a couple of seconds, what the access layer
// reads on every request (a user's scoped bindings and MFA state, an
// organization's custom roles and MFA requirement), so authorization costs
// no queries on the read path. The identity routes clear it on every write
// they make; changes made by another replica, or to an organization's
// settings, show within the TTL.
type accessCache struct {
	mu      sync.Mutex
	ttl     time.Duration
	entries map[string]accessEntry
}

type accessEntry struct {
	v       any
	expires time.Time
}

const (
	accessCacheTTL = 2 * time.Second
	accessCacheMax = 20000
)

func newAccessCache() *accessCache {
	return &accessCache{ttl: accessCacheTTL, entries: map[string]accessEntry{}}
}

// cached returns the cached value of key, or loads, caches and returns it.
func cached[T any](c *accessCache, key string, load func() (T, error)) (T, error) {
	now := time.Now()
	c.mu.Lock()
	e, ok := c.entries[key]
	c.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.v.(T), nil
	}
	v, err := load()
	if err != nil {
		return v, err
	}
	c.mu.Lock()
	if len(c.entries) >= accessCacheMax {
		clear(c.entries) // rare; simpler and fairer than LRU bookkeeping
	}
	c.entries[key] = accessEntry{v: v, expires: now.Add(c.ttl)}
	c.mu.Unlock()
	return v, nil
}

// reset forgets everything, after a write that changes access.
func (c *accessCache) reset() {
	c.mu.Lock()
	clear(c.entries)
	c.mu.Unlock()
}

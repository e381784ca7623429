package database

import (
	"context"
	"database/sql"
	"sync"
)

// maxCachedStmts bounds the statement cache: list queries vary with their
// filters and IN-list lengths, so the set of texts is finite but open.
const maxCachedStmts = 512

// stmtCache keeps SQLite statements prepared. modernc.org/sqlite parses
// every query text anew otherwise, and parsing is a large share of a
// single-row read. (pgx caches prepared statements per connection itself, so
// PostgreSQL pools have no stmtCache.)
type stmtCache struct {
	pool *sql.DB
	mu   sync.RWMutex
	m    map[string]*sql.Stmt
}

func newStmtCache(pool *sql.DB) *stmtCache {
	return &stmtCache{pool: pool, m: map[string]*sql.Stmt{}}
}

// get returns the prepared statement of query, or nil when the cache is
// full (the caller then runs the query unprepared).
func (c *stmtCache) get(ctx context.Context, query string) (*sql.Stmt, error) {
	c.mu.RLock()
	st, ok := c.m[query]
	full := len(c.m) >= maxCachedStmts
	c.mu.RUnlock()
	if ok || full {
		return st, nil
	}
	c.mu.Lock()
	defer c.mu.Unlock()
	if st, ok := c.m[query]; ok {
		return st, nil
	}
	st, err := c.pool.PrepareContext(ctx, query)
	if err != nil {
		return nil, err
	}
	c.m[query] = st
	return st, nil
}

func (c *stmtCache) close() {
	c.mu.Lock()
	defer c.mu.Unlock()
	for q, st := range c.m {
		st.Close()
		delete(c.m, q)
	}
}

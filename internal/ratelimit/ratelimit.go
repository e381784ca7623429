// Package ratelimit implements keyed token buckets for the API (each a
// golang.org/x/time/rate limiter, a well-kept implementation): one bucket
// per API key, user or client IP, refilled continuously at Rate.PerMinute and
// holding at most Rate.Burst tokens. A request that finds its bucket empty is
// refused with the time until one token is back, which the HTTP layer sends
// as Retry-After (whole seconds, rounded up) with a 429.
//
// Limits are per process: with several replicas each enforces its own
// buckets, which bounds abuse well enough without a shared store. The caller
// passes the time in, so the package is pure and tests need no sleeping.
package ratelimit

import (
	"fmt"
	"math"
	"sync"
	"time"

	"golang.org/x/time/rate"
)

// Rate is a bucket's refill rate and capacity.
type Rate struct {
	PerMinute float64 `json:"perMinute"`
	Burst     int     `json:"burst"`
}

// Validate rejects a rate that would refuse everything or never refill.
func (r Rate) Validate() error {
	if r.PerMinute <= 0 || r.Burst < 1 || math.IsInf(r.PerMinute, 0) || math.IsNaN(r.PerMinute) {
		return fmt.Errorf("rate limit must have perMinute > 0 and burst >= 1, got %v/min burst %d", r.PerMinute, r.Burst)
	}
	return nil
}

// Default rates; the server may override them from its configuration.
var (
	DefaultAPIKey = Rate{PerMinute: 600, Burst: 100}
	DefaultUser   = Rate{PerMinute: 600, Burst: 100}
	DefaultIP     = Rate{PerMinute: 300, Burst: 60}
	// DefaultLogin bounds sign-in attempts per client address, right or
	// wrong, so password hashing cannot be used to burn the server's CPU.
	// Guessing is slowed by the failure throttle per (account, address);
	// this bucket is generous enough that an office signing in at nine
	// o'clock behind one NAT is never refused the right password.
	DefaultLogin = Rate{PerMinute: 60, Burst: 30}
)

// maxKeys bounds memory under a flood of distinct keys (e.g. spoofed IPs).
const maxKeys = 100_000

// Limiter is a set of token buckets sharing one Rate, one
// golang.org/x/time/rate bucket per key. It is safe for concurrent use.
type Limiter struct {
	rate    Rate
	limit   rate.Limit
	mu      sync.Mutex
	buckets map[string]*rate.Limiter
}

// New returns a Limiter; an invalid rate is an error.
func New(r Rate) (*Limiter, error) {
	if err := r.Validate(); err != nil {
		return nil, err
	}
	return &Limiter{rate: r, limit: rate.Limit(r.PerMinute / 60), buckets: map[string]*rate.Limiter{}}, nil
}

// Rate returns the limiter's rate.
func (l *Limiter) Rate() Rate { return l.rate }

// Allow takes one token from key's bucket at now. When none is left it
// returns false and how long until one is.
func (l *Limiter) Allow(key string, now time.Time) (bool, time.Duration) {
	b := l.bucket(key, now)
	res := b.ReserveN(now, 1)
	wait := res.DelayFrom(now)
	if wait == 0 {
		return true, 0
	}
	// Refused requests take nothing: give the reserved token back.
	res.CancelAt(now)
	return false, max(wait, time.Millisecond)
}

// Remaining returns the whole tokens left in key's bucket at now, for the
// RateLimit-Remaining header.
func (l *Limiter) Remaining(key string, now time.Time) int {
	return int(math.Floor(l.bucket(key, now).TokensAt(now)))
}

func (l *Limiter) bucket(key string, now time.Time) *rate.Limiter {
	l.mu.Lock()
	defer l.mu.Unlock()
	b, ok := l.buckets[key]
	if !ok {
		if len(l.buckets) >= maxKeys {
			l.evictFull(now)
		}
		b = rate.NewLimiter(l.limit, l.rate.Burst)
		l.buckets[key] = b
	}
	return b
}

// evictFull drops buckets that have refilled completely: forgetting them
// changes nothing, since a new bucket starts full.
func (l *Limiter) evictFull(now time.Time) {
	for k, b := range l.buckets {
		if b.TokensAt(now) >= float64(l.rate.Burst) {
			delete(l.buckets, k)
		}
	}
}

// RetryAfterSeconds renders d for the Retry-After header: whole seconds,
// rounded up, at least 1.
func RetryAfterSeconds(d time.Duration) int {
	return max(1, int(math.Ceil(d.Seconds())))
}

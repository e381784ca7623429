package gitprovider

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"strconv"
	"sync"
	"time"
)

// DefaultMaxWait bounds how long one request may wait out rate limits.
const DefaultMaxWait = 2 * time.Minute

// RateLimitError is a request still refused for rate limits when waiting
// longer would pass the bounded total time.
type RateLimitError struct {
	Host  string
	Until time.Time
}

func (e *RateLimitError) Error() string {
	return fmt.Sprintf("gitprovider: %s is rate limiting requests until %s, past the time allowed to wait", e.Host, e.Until.UTC().Format(time.RFC3339))
}

// WithBackoff returns a copy of c whose requests wait out rate limits:
// a 429 (every provider, Bitbucket's only signal), a 403 with
// X-RateLimit-Remaining: 0 (GitHub, Gitea) or a 503 with Retry-After. The
// wait is Retry-After, else the reset time (X-RateLimit-Reset on GitHub and
// Gitea, RateLimit-Reset on GitLab), else an exponential back-off; once a
// host has said it is limited, every request to it waits until the reset,
// so many deliveries do not hammer it together. A request gives up with a
// *RateLimitError when the wait would take it past maxWait in total
// (DefaultMaxWait when zero).
func WithBackoff(c *http.Client, maxWait time.Duration) *http.Client {
	if maxWait <= 0 {
		maxWait = DefaultMaxWait
	}
	next := c.Transport
	if next == nil {
		next = NoTransport{}
	}
	out := *c
	out.Transport = &backoff{next: next, maxWait: maxWait, until: map[string]time.Time{}, now: time.Now}
	return &out
}

// NoTransport stands for a client's missing transport: http.DefaultTransport
// would reach any address, around the egress guard, so a request through a
// client without one is refused instead.
type NoTransport struct{}

// RoundTrip refuses the request.
func (NoTransport) RoundTrip(*http.Request) (*http.Response, error) {
	return nil, errors.New("the HTTP client has no transport: give it the guarded egress client")
}

type backoff struct {
	next    http.RoundTripper
	maxWait time.Duration
	now     func() time.Time

	mu    sync.Mutex
	until map[string]time.Time // host → no request before
}

func (b *backoff) RoundTrip(req *http.Request) (*http.Response, error) {
	deadline := b.now().Add(b.maxWait)
	host := req.URL.Host
	for attempt := 0; ; attempt++ {
		if err := b.waitHost(req.Context(), host, deadline); err != nil {
			return nil, err
		}
		if attempt > 0 && req.Body != nil && req.Body != http.NoBody {
			if req.GetBody == nil {
				return nil, fmt.Errorf("gitprovider: %s rate limited a request whose body cannot be sent again", host)
			}
			body, err := req.GetBody()
			if err != nil {
				return nil, err
			}
			req = req.Clone(req.Context())
			req.Body = body
		}
		resp, err := b.next.RoundTrip(req)
		if err != nil {
			return nil, err
		}
		wait, limited := b.limit(resp, attempt)
		if !limited {
			return resp, nil
		}
		// A reset already past (clocks differ, the header has whole
		// seconds) must not turn into a tight loop.
		wait = max(wait, 100*time.Millisecond<<min(attempt, 5))
		_, _ = io.Copy(io.Discard, io.LimitReader(resp.Body, 64<<10))
		_ = resp.Body.Close()
		b.hold(host, b.now().Add(wait))
	}
}

// waitHost sleeps until host may be asked again, or fails when that is
// past the deadline.
func (b *backoff) waitHost(ctx context.Context, host string, deadline time.Time) error {
	b.mu.Lock()
	until := b.until[host]
	b.mu.Unlock()
	if !until.After(b.now()) {
		return nil
	}
	if until.After(deadline) {
		return &RateLimitError{Host: host, Until: until}
	}
	t := time.NewTimer(until.Sub(b.now()))
	defer t.Stop()
	select {
	case <-ctx.Done():
		return ctx.Err()
	case <-t.C:
		return nil
	}
}

func (b *backoff) hold(host string, until time.Time) {
	b.mu.Lock()
	if until.After(b.until[host]) {
		b.until[host] = until
	}
	b.mu.Unlock()
}

// limit says whether resp is a rate-limit refusal and how long to wait.
func (b *backoff) limit(resp *http.Response, attempt int) (time.Duration, bool) {
	h := resp.Header
	switch {
	case resp.StatusCode == http.StatusTooManyRequests:
	case resp.StatusCode == http.StatusForbidden && h.Get("X-RateLimit-Remaining") == "0":
	case resp.StatusCode == http.StatusServiceUnavailable && h.Get("Retry-After") != "":
	default:
		return 0, false
	}
	now := b.now()
	if d, ok := retryAfter(h.Get("Retry-After"), now); ok {
		return d, true
	}
	for _, k := range []string{"X-RateLimit-Reset", "RateLimit-Reset"} {
		if d, ok := reset(h.Get(k), now); ok {
			return d, true
		}
	}
	d := time.Second << min(attempt, 5)
	return d, true
}

// retryAfter reads seconds or an HTTP date.
func retryAfter(v string, now time.Time) (time.Duration, bool) {
	if v == "" {
		return 0, false
	}
	if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
		return time.Duration(min(n, 86400)) * time.Second, true
	}
	if t, err := http.ParseTime(v); err == nil {
		return max(t.Sub(now), 0), true
	}
	return 0, false
}

// reset reads a reset time: Unix seconds (GitHub, Gitea, GitLab), or a
// number of seconds from now for the small values the IETF RateLimit
// header fields use.
func reset(v string, now time.Time) (time.Duration, bool) {
	n, err := strconv.ParseInt(v, 10, 64)
	if v == "" || err != nil || n < 0 {
		return 0, false
	}
	if n < 1_000_000_000 {
		return time.Duration(min(n, 86400)) * time.Second, true
	}
	return max(time.Unix(n, 0).Sub(now), 0), true
}

package gitprovider

import (
	"errors"
	"io"
	"net/http"
	"net/http/httptest"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"
	"time"
)

// limiter answers with the given refusal for the first `refusals`
// requests, then 200 with the request body echoed.
func limiter(t *testing.T, refusals int64, refuse func(w http.ResponseWriter)) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if n.Add(1) <= refusals {
			refuse(w)
			return
		}
		body, _ := io.ReadAll(r.Body)
		_, _ = w.Write(append([]byte("ok:"), body...))
	}))
	t.Cleanup(srv.Close)
	return srv, &n
}

func post(t *testing.T, c *http.Client, url string) (string, error) {
	t.Helper()
	resp, err := c.Post(url, "application/json", strings.NewReader(`{"a":1}`))
	if err != nil {
		return "", err
	}
	defer func() { _ = resp.Body.Close() }()
	b, _ := io.ReadAll(resp.Body)
	return string(b), nil
}

func TestBackoffWaitsOutEachProvidersSignal(t *testing.T) {
	t.Parallel()
	cases := map[string]func(w http.ResponseWriter){
		"Retry-After on 429 (Bitbucket, GitHub secondary)": func(w http.ResponseWriter) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusTooManyRequests)
		},
		"X-RateLimit-Reset on 403 (GitHub, Gitea)": func(w http.ResponseWriter) {
			w.Header().Set("X-RateLimit-Remaining", "0")
			w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10))
			w.WriteHeader(http.StatusForbidden)
		},
		"RateLimit-Reset on 429 (GitLab)": func(w http.ResponseWriter) {
			w.Header().Set("RateLimit-Remaining", "0")
			w.Header().Set("RateLimit-Reset", strconv.FormatInt(time.Now().Add(time.Second).Unix(), 10))
			w.WriteHeader(http.StatusTooManyRequests)
		},
		"bare 429 (Bitbucket)": func(w http.ResponseWriter) { w.WriteHeader(http.StatusTooManyRequests) },
	}
	for name, refuse := range cases {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			srv, n := limiter(t, 1, refuse)
			c := WithBackoff(loopbackClient(), 10*time.Second)
			start := time.Now()
			got, err := post(t, c, srv.URL)
			if err != nil || got != `ok:{"a":1}` {
				t.Fatalf("got %q, %v", got, err)
			}
			if n.Load() != 2 {
				t.Fatalf("%d requests, want 2", n.Load())
			}
			if waited := time.Since(start); waited < 90*time.Millisecond {
				t.Fatalf("retried after %v: did not wait", waited)
			}
		})
	}
}

func TestBackoffGivesUpPastItsBound(t *testing.T) {
	t.Parallel()
	srv, n := limiter(t, 1000, func(w http.ResponseWriter) {
		w.Header().Set("Retry-After", "3600")
		w.WriteHeader(http.StatusTooManyRequests)
	})
	c := WithBackoff(loopbackClient(), 2*time.Second)
	start := time.Now()
	_, err := post(t, c, srv.URL)
	var rl *RateLimitError
	if !errors.As(err, &rl) || !strings.Contains(err.Error(), "rate limiting requests until") {
		t.Fatalf("err = %v, want a RateLimitError", err)
	}
	if time.Since(start) > time.Second || n.Load() != 1 {
		t.Fatalf("waited %v over %d requests for a limit past the bound", time.Since(start), n.Load())
	}
	// The host stays held: the next request does not even reach it.
	if _, err := post(t, c, srv.URL); !errors.As(err, &rl) || n.Load() != 1 {
		t.Fatalf("second request: %v after %d requests", err, n.Load())
	}
}

func TestBackoffLeavesOtherAnswersAlone(t *testing.T) {
	t.Parallel()
	srv, n := limiter(t, 1, func(w http.ResponseWriter) { w.WriteHeader(http.StatusForbidden) })
	resp, err := WithBackoff(loopbackClient(), time.Second).Get(srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	_ = resp.Body.Close()
	if resp.StatusCode != http.StatusForbidden || n.Load() != 1 {
		t.Fatalf("status %d after %d requests: a plain 403 is not a rate limit", resp.StatusCode, n.Load())
	}
}

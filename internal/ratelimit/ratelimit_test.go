package ratelimit

import (
	"strconv"
	"testing"
	"time"

	"golang.org/x/time/rate"
)

var t0 = time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC)

func TestBurstThenRefuse(t *testing.T) {
	l, err := New(Rate{PerMinute: 60, Burst: 3})
	if err != nil {
		t.Fatal(err)
	}
	for i := range 3 {
		if ok, _ := l.Allow("k", t0); !ok {
			t.Fatalf("request %d refused inside the burst", i+1)
		}
	}
	ok, wait := l.Allow("k", t0)
	if ok || wait != time.Second {
		t.Fatalf("4th request: ok=%v wait=%v, want refused with 1s", ok, wait)
	}
	if RetryAfterSeconds(wait) != 1 || RetryAfterSeconds(1500*time.Millisecond) != 2 || RetryAfterSeconds(0) != 1 {
		t.Error("RetryAfterSeconds rounding")
	}
	// Other keys have their own bucket.
	if ok, _ := l.Allow("other", t0); !ok {
		t.Error("other key refused")
	}
	// A second later one token is back, not more.
	if ok, _ := l.Allow("k", t0.Add(time.Second)); !ok {
		t.Error("refused after refill")
	}
	if ok, _ := l.Allow("k", t0.Add(time.Second)); ok {
		t.Error("allowed twice after one token refilled")
	}
	// Refill is capped at the burst.
	if n := l.Remaining("k", t0.Add(time.Hour)); n != 3 {
		t.Errorf("Remaining after an hour = %d, want 3", n)
	}
}

func TestClockGoingBackDoesNotRefill(t *testing.T) {
	l, _ := New(Rate{PerMinute: 60, Burst: 1})
	l.Allow("k", t0)
	if ok, _ := l.Allow("k", t0.Add(-time.Hour)); ok {
		t.Fatal("clock going back refilled the bucket")
	}
}

func TestInvalidRate(t *testing.T) {
	for _, r := range []Rate{{0, 1}, {10, 0}, {-1, 5}} {
		if _, err := New(r); err == nil {
			t.Errorf("New(%+v) accepted", r)
		}
	}
}

func TestEviction(t *testing.T) {
	l, _ := New(Rate{PerMinute: 60, Burst: 1})
	for i := range maxKeys {
		l.buckets[strconv.Itoa(i)] = rate.NewLimiter(l.limit, 1)
	}
	l.Allow("busy", t0)
	if len(l.buckets) != 1 {
		t.Fatalf("%d buckets after eviction, want 1", len(l.buckets))
	}
}

func BenchmarkAllow(b *testing.B) {
	l, _ := New(DefaultAPIKey)
	for b.Loop() {
		l.Allow("key", t0)
	}
}

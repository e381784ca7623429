package explain

import (
	"fmt"
	"testing"
)

// TestCacheIsBounded: the cache keeps at most CacheSize answers and drops
// the oldest first.
func TestCacheIsBounded(t *testing.T) {
	l := &LLM{CacheSize: 3}
	for i := range 5 {
		l.store(fmt.Sprint(i), Result{Text: fmt.Sprint(i)})
	}
	if len(l.cache) != 3 || len(l.order) != 3 {
		t.Fatalf("cache holds %d entries (order %d), want 3", len(l.cache), len(l.order))
	}
	for _, gone := range []string{"0", "1"} {
		if _, ok := l.cached(gone); ok {
			t.Errorf("entry %s should have been evicted", gone)
		}
	}
	for _, kept := range []string{"2", "3", "4"} {
		if r, ok := l.cached(kept); !ok || r.Text != kept {
			t.Errorf("entry %s missing or wrong: %+v %v", kept, r, ok)
		}
	}
	l.store("4", Result{Text: "again"})
	if len(l.order) != 3 {
		t.Fatalf("re-storing a key grew the order to %d", len(l.order))
	}
}

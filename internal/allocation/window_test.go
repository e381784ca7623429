package allocation_test

import (
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/allocation"
)

func TestParseWindow(t *testing.T) {
	now := time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)
	w, err := allocation.ParseWindow("30d", now)
	if err != nil {
		t.Fatal(err)
	}
	if from, to := w.Days(); from != "2026-11-08" || to != "2026-12-07" {
		t.Fatalf("30d = %s..%s", from, to)
	}
	for _, bad := range []string{"", "d", "30", "0d", "-3d", "+3d", "401d", "3w", "1.5d"} {
		if _, err := allocation.ParseWindow(bad, now); err == nil || !strings.Contains(err.Error(), "window") {
			t.Errorf("%q: %v", bad, err)
		}
	}
}

func FuzzParseWindow(f *testing.F) {
	for _, s := range []string{"30d", "1d", "400d", "0d", "x", "99999999999999999999d"} {
		f.Add(s)
	}
	now := time.Date(2026, 12, 7, 15, 4, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, s string) {
		w, err := allocation.ParseWindow(s, now)
		if err != nil {
			if !strings.Contains(err.Error(), "window") {
				t.Fatalf("error does not name the window: %v", err)
			}
			return
		}
		days := w.End.Sub(w.Start).Hours() / 24
		if days < 1 || days > allocation.MaxWindowDays || !w.End.After(now) {
			t.Fatalf("%q gave %v", s, w)
		}
	})
}

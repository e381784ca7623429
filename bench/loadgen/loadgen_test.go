package main

import (
	"testing"
	"time"
)

func TestPercentile(t *testing.T) {
	var d []time.Duration
	for i := 1; i <= 100; i++ {
		d = append(d, time.Duration(i)*time.Millisecond)
	}
	for p, want := range map[float64]time.Duration{50: 50 * time.Millisecond, 95: 95 * time.Millisecond, 99: 99 * time.Millisecond, 100: 100 * time.Millisecond} {
		if got := percentile(d, p); got != want {
			t.Errorf("p%.0f = %s, want %s", p, got, want)
		}
	}
	if percentile(nil, 99) != 0 {
		t.Error("percentile of nothing is not 0")
	}
}

func TestParseRejectsBadFlags(t *testing.T) {
	for _, args := range [][]string{
		{"-password", ""},
		{"-password", "x", "-c", "0"},
		{"-password", "x", "-d", "2h"},
		{"-password", "x", "-n", "-1"},
		{"-password", "x", "-bogus"},
	} {
		if _, err := parse(args); err == nil {
			t.Errorf("parse(%q) accepted bad flags", args)
		}
	}
	if _, err := parse([]string{"-password", "x"}); err != nil {
		t.Errorf("defaults rejected: %v", err)
	}
}

package billings3

import (
	"strings"
	"testing"
)

func TestPeriodOf(t *testing.T) {
	for _, c := range []struct {
		key, period string
	}{
		{"exports/cur2/data/BILLING_PERIOD=2026-11/cur2-00001.csv.gz", "2026-11"},
		{"focus/data/BILLING_PERIOD=2026-01/part-0.parquet", "2026-01"},
		{"legacy/cur/20261101-20261201/a1b2/cur-1.csv.gz", "2026-11"},
		{"azure/daily/20261201-20261231/cost.csv", "2026-12"},
		{"BILLING_PERIOD=2026-11/x.csv", "2026-11"},
		{"exports/cur2/metadata/BILLING_PERIOD=2026-11/cur2-Manifest.json", "2026-11"},
		{"exports/BILLING_PERIOD=2026-13/x.csv", ""},                // no such month
		{"exports/BILLING_PERIOD=2026-1/x.csv", ""},                 // not YYYY-MM
		{"exports/20261102-20261201/x.csv", ""},                     // not a month's first day
		{"exports/20261201-20261101/x.csv", ""},                     // ends before it starts
		{"exports/BILLING_PERIOD=2026-11", ""},                      // a file so named, not a folder
		{"exports/cur2/cur2-Manifest.json", ""},                     // no period
		{"exports/20261301-20261401/x.csv", ""},                     // month 13
		{"x/BILLING_PERIOD=2026-10/20261101-20261201/y", "2026-10"}, // the first folder wins
	} {
		got, ok := PeriodOf(c.key)
		if got != c.period || ok != (c.period != "") {
			t.Errorf("PeriodOf(%q) = %q, %v; want %q", c.key, got, ok, c.period)
		}
	}
}

func FuzzPeriodOf(f *testing.F) {
	for _, s := range []string{"a/BILLING_PERIOD=2026-11/b", "a/20261101-20261201/b", "", "/", "BILLING_PERIOD=/x", "20260101-/x"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, key string) {
		p, ok := PeriodOf(key)
		if ok != (p != "") {
			t.Fatalf("PeriodOf(%q) = %q, %v", key, p, ok)
		}
		if ok && (len(p) != 7 || p[4] != '-' || !strings.Contains(key, "/")) {
			t.Fatalf("PeriodOf(%q) = %q: not a month of a folder", key, p)
		}
	})
}

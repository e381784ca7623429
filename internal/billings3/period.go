package billings3

import (
	"strings"
	"time"
)

// PeriodOf is the billing month (YYYY-MM) an export object belongs to, read
// from its key's folders as the exports lay them out:
//   - AWS Data Exports (CUR 2.0, FOCUS): .../data/BILLING_PERIOD=2026-11/...
//   - legacy CUR and Azure exports: .../20261101-20261201/... (the period's
//     first day and the day after its last; the month is the first day's)
//
// Only folders count, never the file name, and the first folder that names a
// period wins. ok is false when no folder does (a manifest at the export's
// root, a stray file): such objects are not billing data of a month.
func PeriodOf(key string) (period string, ok bool) {
	segs := strings.Split(key, "/")
	for _, seg := range segs[:len(segs)-1] {
		if v, found := strings.CutPrefix(seg, "BILLING_PERIOD="); found {
			if t, err := time.Parse("2006-01", v); err == nil && t.Format("2006-01") == v {
				return v, true
			}
			continue
		}
		if p, ok := rangeFolder(seg); ok {
			return p, true
		}
	}
	return "", false
}

// rangeFolder reads YYYYMMDD-YYYYMMDD with a start on a month's first day
// and an end after it.
func rangeFolder(seg string) (string, bool) {
	from, to, found := strings.Cut(seg, "-")
	if !found || len(from) != 8 || len(to) != 8 {
		return "", false
	}
	start, err1 := time.Parse("20060102", from)
	end, err2 := time.Parse("20060102", to)
	if err1 != nil || err2 != nil || start.Day() != 1 || !end.After(start) ||
		start.Format("20060102") != from || end.Format("20060102") != to {
		return "", false
	}
	return start.Format("2006-01"), true
}

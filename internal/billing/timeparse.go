package billing

import (
	"time"
)

// timeLayouts are the timestamp spellings seen in billing files: RFC 3339
// (FOCUS, CUR 2.0), BigQuery's "2024-01-01 00:00:00 UTC", zone-less
// date-times (read as UTC), plain dates, and Azure's month-first dates.
var timeLayouts = []string{
	time.RFC3339Nano,
	"2006-01-02 15:04:05 MST",
	"2006-01-02 15:04:05Z07:00",
	"2006-01-02 15:04:05.999999999Z07:00",
	"2006-01-02T15:04:05.999999999",
	"2006-01-02 15:04:05.999999999",
	"2006-01-02T15:04Z07:00",
	"2006-01-02",
	"01/02/2006",
	"01/02/2006 15:04:05",
	"1/2/2006",
	"2006-01-02 15:04:05-07",
	"2006-01-02T15:04:05.999999999-0700",
	"20060102",
}

// timeCache remembers the last timestamp read: rows of a billing file share
// a handful of charge periods, so most rows skip parsing altogether.
type timeCache struct {
	last string
	t    time.Time
}

// parse reads s as a UTC instant.
func (c *timeCache) parse(s string) (time.Time, bool) {
	if s == c.last && s != "" {
		return c.t, true
	}
	t, ok := parseTime(s)
	if ok {
		c.last, c.t = s, t
	}
	return t, ok
}

func parseTime(s string) (time.Time, bool) {
	for _, l := range timeLayouts {
		if t, err := time.Parse(l, s); err == nil {
			return t.UTC(), true
		}
	}
	return time.Time{}, false
}

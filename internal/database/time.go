package database

import (
	"database/sql/driver"
	"fmt"
	"time"
)

// timeLayout is fixed-width so that SQLite's text timestamps sort in time
// order; PostgreSQL parses it into timestamptz.
const timeLayout = "2006-01-02T15:04:05.000000Z"

// Now returns the current time as the store keeps it: UTC, truncated to the
// microseconds PostgreSQL stores, so a value read back equals the value
// written in both dialects.
func Now() time.Time { return Stored(time.Now()) }

// Stored returns t as the store keeps it: UTC, truncated to microseconds.
func Stored(t time.Time) time.Time { return t.UTC().Truncate(time.Microsecond) }

// StoredPtr is Stored for an optional time.
func StoredPtr(t *time.Time) *time.Time {
	if t == nil {
		return nil
	}
	v := Stored(*t)
	return &v
}

// Time is a timestamp argument and scan target that behaves the same in both
// dialects. A zero Time (Valid false) is SQL NULL.
type Time struct {
	Time  time.Time
	Valid bool
}

// TimeOf returns t as an argument.
func TimeOf(t time.Time) Time { return Time{Time: t, Valid: true} }

// NullTimeOf returns *t as an argument, NULL when t is nil.
func NullTimeOf(t *time.Time) Time {
	if t == nil {
		return Time{}
	}
	return TimeOf(*t)
}

// Value implements driver.Valuer.
func (t Time) Value() (driver.Value, error) {
	if !t.Valid {
		return nil, nil
	}
	return t.Time.UTC().Format(timeLayout), nil
}

// Scan implements sql.Scanner: PostgreSQL yields time.Time, SQLite text.
func (t *Time) Scan(src any) error {
	switch v := src.(type) {
	case nil:
		*t = Time{}
		return nil
	case time.Time:
		*t = TimeOf(v.UTC())
		return nil
	case string:
		return t.parse(v)
	case []byte:
		return t.parse(string(v))
	}
	return fmt.Errorf("database: cannot scan %T into a timestamp", src)
}

func (t *Time) parse(s string) error {
	if v, ok := parseLayout(s); ok {
		*t = TimeOf(v)
		return nil
	}
	v, err := time.Parse(time.RFC3339Nano, s)
	if err != nil {
		return fmt.Errorf("database: bad timestamp %q: %w", s, err)
	}
	*t = TimeOf(v.UTC())
	return nil
}

// Ptr returns the time, or nil when NULL.
func (t Time) Ptr() *time.Time {
	if !t.Valid {
		return nil
	}
	v := t.Time
	return &v
}

// parseLayout parses timeLayout without the generality of time.Parse: list
// queries scan two timestamps per row, so this is on the hot path.
func parseLayout(s string) (time.Time, bool) {
	if len(s) != len(timeLayout) || s[4] != '-' || s[7] != '-' || s[10] != 'T' || s[13] != ':' ||
		s[16] != ':' || s[19] != '.' || s[26] != 'Z' {
		return time.Time{}, false
	}
	num := func(from, to int) (int, bool) {
		n := 0
		for i := from; i < to; i++ {
			c := s[i]
			if c < '0' || c > '9' {
				return 0, false
			}
			n = n*10 + int(c-'0')
		}
		return n, true
	}
	var f [7]int
	for i, span := range [7][2]int{{0, 4}, {5, 7}, {8, 10}, {11, 13}, {14, 16}, {17, 19}, {20, 26}} {
		var ok bool
		if f[i], ok = num(span[0], span[1]); !ok {
			return time.Time{}, false
		}
	}
	if f[1] < 1 || f[1] > 12 || f[2] < 1 || f[2] > 31 || f[3] > 23 || f[4] > 59 || f[5] > 59 {
		return time.Time{}, false
	}
	v := time.Date(f[0], time.Month(f[1]), f[2], f[3], f[4], f[5], f[6]*1000, time.UTC)
	if v.Day() != f[2] { // 31 February and the like normalise into the next month
		return time.Time{}, false
	}
	return v, true
}

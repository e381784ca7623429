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
func Now() time.Time { return time.Now().UTC().Truncate(time.Microsecond) }

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

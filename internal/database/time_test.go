package database

import (
	"testing"
	"time"
)

func TestTimeRoundTrip(t *testing.T) {
	at := time.Date(2026, 11, 22, 1, 2, 3, 456789000, time.FixedZone("X", -5*3600))
	v, err := TimeOf(at).Value()
	if err != nil {
		t.Fatal(err)
	}
	if v != "2026-11-22T06:02:03.456789Z" {
		t.Fatalf("value %v", v)
	}
	for _, src := range []any{v, []byte(v.(string)), at} {
		var got Time
		if err := got.Scan(src); err != nil {
			t.Fatal(err)
		}
		if !got.Valid || !got.Time.Equal(at) || got.Time.Location() != time.UTC {
			t.Fatalf("scan %T: %v", src, got)
		}
	}
	var null Time
	if err := null.Scan(nil); err != nil || null.Valid || null.Ptr() != nil {
		t.Fatalf("NULL scanned as %+v, %v", null, err)
	}
	if v, _ := NullTimeOf(nil).Value(); v != nil {
		t.Fatalf("nil time written as %v", v)
	}
	var bad Time
	if err := bad.Scan("yesterday"); err == nil {
		t.Fatal("bad timestamp accepted")
	}
	if err := bad.Scan(42); err == nil {
		t.Fatal("integer accepted as timestamp")
	}
	if now := Now(); now.Location() != time.UTC || now.Nanosecond()%1000 != 0 {
		t.Fatalf("Now() = %v, want UTC microseconds", now)
	}
}

func TestValidText(t *testing.T) {
	for s, want := range map[string]bool{"ok": true, "": true, "naïve": true, "a\x00b": false, "\xff": false} {
		if got := ValidText(s); got != want {
			t.Errorf("ValidText(%q) = %v", s, got)
		}
	}
	if err := checkArgs([]any{1, "ok", "a\x00"}); err != ErrInvalidText {
		t.Fatalf("checkArgs = %v", err)
	}
}

// FuzzTimeParse checks the fast path against time.Parse: whenever it
// accepts a string, the result equals time.Parse's.
func FuzzTimeParse(f *testing.F) {
	for _, seed := range []string{"2026-11-22T06:02:03.456789Z", "2026-02-31T00:00:00.000000Z", "2026-13-01T00:00:00.000000Z",
		"2026-11-22T06:02:03.45678Z", "0000-01-01T00:00:00.000000Z", "2026-11-22 06:02:03.456789Z", "abcd-ef-ghTij:kl:mn.opqrstZ"} {
		f.Add(seed)
	}
	f.Fuzz(func(t *testing.T, s string) {
		fast, ok := parseLayout(s)
		if !ok {
			return
		}
		slow, err := time.Parse(time.RFC3339Nano, s)
		if err != nil {
			t.Fatalf("fast path accepted %q, time.Parse refused it: %v", s, err)
		}
		if !fast.Equal(slow) {
			t.Fatalf("%q: fast %v, time.Parse %v", s, fast, slow)
		}
	})
}

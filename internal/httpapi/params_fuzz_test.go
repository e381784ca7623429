package httpapi

import (
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
)

// invalidParam fails unless err is a 400 INVALID_PARAMETER or
// VALIDATION_FAILED naming a field.
func invalidParam(t *testing.T, what string, err error) {
	t.Helper()
	e, ok := err.(*capsule.Error)
	if !ok || e.Kind != capsule.KindInvalid || (e.Code != capsule.CodeInvalidParameter && e.Code != capsule.CodeValidation) {
		t.Fatalf("%s: want an invalid-parameter error, got %v", what, err)
	}
	if fields, _ := e.Details["fields"].([]capsule.FieldError); len(fields) == 0 || fields[0].Field == "" {
		t.Fatalf("%s: error names no field: %v", what, err)
	}
}

// FuzzPageParam: any query string gives a page within the bounds, or a
// 400 naming limit; never a panic or a zero/huge limit.
func FuzzPageParam(f *testing.F) {
	for _, s := range []string{"", "limit=10", "limit=0", "limit=-1", "limit=99999999999999999999", "limit=1e3", "limit= 5",
		"cursor=abc", "limit=500&cursor=%ff", "limit=%00", "limit=501", "limit=+7"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		q, err := url.ParseQuery(raw)
		if err != nil {
			return
		}
		p, err := pageParam(q)
		if err != nil {
			invalidParam(t, raw, err)
			return
		}
		if p.Limit < 1 || p.Limit > capsule.MaxPageSize {
			t.Fatalf("%q: limit %d out of bounds", raw, p.Limit)
		}
		if p.Cursor != q.Get("cursor") {
			t.Fatalf("%q: cursor %q changed", raw, p.Cursor)
		}
	})
}

// FuzzIntParam: a positive integer round-trips, anything else is a 400.
func FuzzIntParam(f *testing.F) {
	for _, s := range []string{"1", "0", "-3", "", "07", "+1", "9223372036854775808", "1_000", "٣", " 1"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		n, err := intParam(url.Values{"from": {s}}, "from")
		if err != nil {
			invalidParam(t, s, err)
			return
		}
		if n < 1 {
			t.Fatalf("%q: accepted %d", s, n)
		}
		if want, perr := strconv.Atoi(s); perr != nil || want != n {
			t.Fatalf("%q: got %d", s, n)
		}
	})
}

// FuzzETagMatches: the stored version's own ETag always matches, "*"
// matches, a weak tag never matches on its own, and no header panics.
func FuzzETagMatches(f *testing.F) {
	for _, s := range []string{`"3"`, `W/"3"`, `*`, `"1", "3"`, ``, `"`, `""`, `,,,`, `"3`, `3"`, "\"3\"\x00"} {
		f.Add(s, int64(3))
	}
	f.Fuzz(func(t *testing.T, header string, version int64) {
		got := etagMatches(header, version)
		tag := `"` + strconv.FormatInt(version, 10) + `"`
		if !etagMatches(header+", "+tag, version) || !etagMatches(tag, version) {
			t.Fatalf("%q: own ETag %s does not match", header, tag)
		}
		if etagMatches("W/"+tag, version) {
			t.Fatalf("weak %s matched", tag)
		}
		if strings.TrimSpace(header) == "*" && !got {
			t.Fatal("* did not match")
		}
	})
}

// FuzzAuditFilter: any audit query yields a filter within its bounds or a
// 400 naming the bad parameter.
func FuzzAuditFilter(f *testing.F) {
	for _, s := range []string{"", "limit=1000", "limit=1001", "after=-1", "after=5", "from=2026-01-02T03:04:05Z", "to=yesterday",
		"outcome=success", "outcome=bogus", "format=csv", "format=xml", "action=secrets.*", "after=99999999999999999999"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		if _, err := url.ParseQuery(raw); err != nil {
			return
		}
		r := httptest.NewRequest("GET", "/api/v1/audit/logs", nil)
		r.URL.RawQuery = raw
		r = r.WithContext(withCaller(r.Context(), &Caller{UserID: "u", Memberships: []capsule.Member{{OrganizationID: "o"}}}))
		fl, format, err := auditFilter(r)
		if err != nil {
			invalidParam(t, raw, err)
			return
		}
		if fl.Limit < 0 || fl.Limit > 1000 || fl.AfterSeq < 0 {
			t.Fatalf("%q: out of bounds: %+v", raw, fl)
		}
		switch format {
		case "", "json", "jsonl", "csv":
		default:
			t.Fatalf("%q: format %q accepted", raw, format)
		}
		switch fl.Outcome {
		case "", "success", "failure", "denied":
		default:
			t.Fatalf("%q: outcome %q accepted", raw, fl.Outcome)
		}
	})
}

// FuzzRequestID: an accepted X-Request-ID is always a safe token.
func FuzzRequestID(f *testing.F) {
	for _, s := range []string{"abc", "a b", "x\"y", "k=v", strings.Repeat("a", 129), "\x7f", "é"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		id := cleanRequestID(s)
		if id == "" {
			return
		}
		if id != s || len(id) > 128 || strings.Trim(id, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._-") != "" {
			t.Fatalf("%q accepted as %q", s, id)
		}
	})
}

// FuzzCheckJSONBytes: whatever passes is valid UTF-8 nested at most
// MaxJSONDepth deep (counted outside strings), and errors name an offset.
func FuzzCheckJSONBytes(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":"[[[["}`, strings.Repeat("[", 33), `"\"[["`, "\xff", `{"a":"\\"}`, `"\ud800"`, `"\ud83d\ude00"`, `"\ud83d\u0041"`, `"\u12"`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		err := checkJSONBytes(data)
		if err != nil {
			if !strings.Contains(err.Error(), "offset") {
				t.Fatalf("%q: error names no offset: %v", data, err)
			}
			return
		}
		if off := invalidUTF8At(data); off >= 0 {
			t.Fatalf("%q: invalid UTF-8 accepted", data)
		}
	})
}

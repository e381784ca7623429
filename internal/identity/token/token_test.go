package token

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"errors"
	"strconv"
	"strings"
	"testing"
	"time"
)

var (
	key = []byte("0123456789abcdef0123456789abcdef")
	t0  = time.Date(2026, 11, 22, 10, 0, 0, 0, time.UTC)
)

func TestIssueVerify(t *testing.T) {
	iss := NewIssuer(key, 0)
	tok, exp, err := iss.Issue("usr_1", "ses_1", t0)
	if err != nil {
		t.Fatal(err)
	}
	if !exp.Equal(t0.Add(DefaultTTL)) {
		t.Errorf("exp = %v, want %v", exp, t0.Add(DefaultTTL))
	}
	c, err := iss.Verify(tok, t0.Add(time.Minute))
	if err != nil {
		t.Fatal(err)
	}
	if c.UserID != "usr_1" || c.SessionID != "ses_1" || c.ID == "" || !c.ExpiresAt.Equal(exp) || !c.IssuedAt.Equal(t0) {
		t.Errorf("claims = %+v", c)
	}
}

func TestIssueClaimsOrg(t *testing.T) {
	iss := NewIssuer(key, time.Minute)
	tok, _, err := iss.IssueClaims(Claims{UserID: "u", SessionID: "s", OrgID: "org_1"}, t0)
	if err != nil {
		t.Fatal(err)
	}
	c, err := iss.Verify(tok, t0)
	if err != nil || c.OrgID != "org_1" {
		t.Fatalf("Verify = %+v, %v", c, err)
	}
}

func TestIssueRejects(t *testing.T) {
	if _, _, err := NewIssuer([]byte("short"), 0).Issue("u", "s", t0); err == nil {
		t.Error("short key accepted")
	}
	if _, _, err := NewIssuer(key, 0).Issue("", "s", t0); err == nil {
		t.Error("empty user accepted")
	}
}

func TestVerifyTimes(t *testing.T) {
	iss := NewIssuer(key, time.Minute)
	tok, _, _ := iss.Issue("u", "s", t0)
	cases := map[string]struct {
		at time.Time
		ok bool
	}{
		"inside":            {t0.Add(30 * time.Second), true},
		"expired in leeway": {t0.Add(time.Minute + Leeway - time.Second), true},
		"expired":           {t0.Add(time.Minute + Leeway + time.Second), false},
		"clock skew":        {t0.Add(-Leeway + time.Second), true},
		"from the future":   {t0.Add(-Leeway - time.Minute), false},
	}
	for name, c := range cases {
		_, err := iss.Verify(tok, c.at)
		if (err == nil) != c.ok {
			t.Errorf("%s: err = %v, want ok=%v", name, err, c.ok)
		}
	}
}

// forge signs header.payload with HS256 under k, or leaves the signature
// empty when k is nil, so the tests can build the attacks by hand.
func forge(header, payload string, k []byte) string {
	enc := base64.RawURLEncoding
	s := enc.EncodeToString([]byte(header)) + "." + enc.EncodeToString([]byte(payload))
	if k == nil {
		return s + "."
	}
	m := hmac.New(sha256.New, k)
	m.Write([]byte(s))
	return s + "." + enc.EncodeToString(m.Sum(nil))
}

func TestVerifyRejectsForgeries(t *testing.T) {
	iss := NewIssuer(key, time.Minute)
	good, _, _ := iss.Issue("u", "s", t0)
	exp := t0.Add(time.Minute).Unix()
	payload := func(extra string) string {
		return `{"iss":"capsule","aud":["capsule-api"],"sub":"u","sid":"s","iat":` +
			itoa(t0.Unix()) + `,"exp":` + itoa(exp) + extra + `}`
	}
	parts := strings.Split(good, ".")
	cases := map[string]string{
		"empty":            "",
		"garbage":          "not.a.jwt",
		"alg none":         forge(`{"alg":"none","typ":"JWT"}`, payload(""), nil),
		"alg RS256":        forge(`{"alg":"RS256","typ":"JWT"}`, payload(""), key),
		"alg HS512":        forge(`{"alg":"HS512","typ":"JWT"}`, payload(""), key),
		"wrong key":        forge(`{"alg":"HS256","typ":"JWT"}`, payload(""), []byte("another-key-another-key-another!!")),
		"tampered payload": parts[0] + "." + base64.RawURLEncoding.EncodeToString([]byte(payload(`,"org":"evil"`))) + "." + parts[2],
		"no signature":     parts[0] + "." + parts[1] + ".",
		"wrong issuer":     forge(`{"alg":"HS256"}`, strings.Replace(payload(""), `"capsule"`, `"other"`, 1), key),
		"wrong audience":   forge(`{"alg":"HS256"}`, strings.Replace(payload(""), `capsule-api`, `other`, 1), key),
		"no exp":           forge(`{"alg":"HS256"}`, `{"iss":"capsule","aud":"capsule-api","sub":"u","sid":"s","iat":`+itoa(t0.Unix())+`}`, key),
		"no sid":           forge(`{"alg":"HS256"}`, strings.Replace(payload(""), `"sid":"s",`, ``, 1), key),
		"no iat":           forge(`{"alg":"HS256"}`, strings.Replace(payload(""), `"iat":`+itoa(t0.Unix())+`,`, ``, 1), key),
		"too long":         good + strings.Repeat("A", MaxLength),
	}
	for name, tok := range cases {
		c, err := iss.Verify(tok, t0)
		if err == nil || !errors.Is(err, ErrInvalid) {
			t.Errorf("%s: Verify = %+v, %v; want ErrInvalid", name, c, err)
		}
	}
	// The hand-built token with the right key and all claims is accepted, so
	// the rejections above are about the attack, not the forge helper.
	if _, err := iss.Verify(forge(`{"alg":"HS256","typ":"JWT"}`, payload(""), key), t0); err != nil {
		t.Fatalf("control token rejected: %v", err)
	}
}

func itoa(n int64) string { return strconv.FormatInt(n, 10) }

func FuzzVerify(f *testing.F) {
	iss := NewIssuer(key, time.Minute)
	good, _, _ := iss.Issue("u", "s", t0)
	f.Add(good)
	f.Add("")
	f.Add("a.b.c")
	f.Add(forge(`{"alg":"none"}`, `{"sub":"u"}`, nil))
	f.Add(forge(`{"alg":"HS256"}`, `{"exp":"soon","iat":[1]}`, key))
	f.Fuzz(func(t *testing.T, tok string) {
		c, err := iss.Verify(tok, t0)
		if err == nil && (c.UserID == "" || c.SessionID == "") {
			t.Fatalf("accepted token without subject or session: %q", tok)
		}
		if err != nil && !errors.Is(err, ErrInvalid) {
			t.Fatalf("error does not wrap ErrInvalid: %v", err)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	iss := NewIssuer(key, time.Minute)
	tok, _, _ := iss.Issue("usr_1", "ses_1", t0)
	for b.Loop() {
		if _, err := iss.Verify(tok, t0); err != nil {
			b.Fatal(err)
		}
	}
}

package totp

import (
	"crypto/sha1"
	"crypto/sha256"
	"crypto/sha512"
	"hash"
	"strings"
	"testing"
	"time"
)

// TestRFC6238Vectors checks the test vectors of RFC 6238 Appendix B.
func TestRFC6238Vectors(t *testing.T) {
	seeds := map[string]struct {
		h   func() hash.Hash
		key string
	}{
		"SHA1":   {sha1.New, "12345678901234567890"},
		"SHA256": {sha256.New, "12345678901234567890123456789012"},
		"SHA512": {sha512.New, "1234567890123456789012345678901234567890123456789012345678901234"},
	}
	vectors := []struct {
		unix int64
		alg  string
		want string
	}{
		{59, "SHA1", "94287082"}, {59, "SHA256", "46119246"}, {59, "SHA512", "90693936"},
		{1111111109, "SHA1", "07081804"}, {1111111109, "SHA256", "68084774"}, {1111111109, "SHA512", "25091201"},
		{1111111111, "SHA1", "14050471"}, {1111111111, "SHA256", "67062674"}, {1111111111, "SHA512", "99943326"},
		{1234567890, "SHA1", "89005924"}, {1234567890, "SHA256", "91819424"}, {1234567890, "SHA512", "93441116"},
		{2000000000, "SHA1", "69279037"}, {2000000000, "SHA256", "90698825"}, {2000000000, "SHA512", "38618901"},
		{20000000000, "SHA1", "65353130"}, {20000000000, "SHA256", "77737706"}, {20000000000, "SHA512", "47863826"},
	}
	for _, v := range vectors {
		s := seeds[v.alg]
		if got := HOTP(s.h, []byte(s.key), Step(time.Unix(v.unix, 0)), 8); got != v.want {
			t.Errorf("T=%d %s: got %s, want %s", v.unix, v.alg, got, v.want)
		}
	}
}

func TestVerifyWindowAndReplay(t *testing.T) {
	secret, err := NewSecret()
	if err != nil {
		t.Fatal(err)
	}
	now := time.Date(2026, 11, 22, 10, 0, 15, 0, time.UTC)
	code, _ := Code(secret, now)
	step, err := Verify(secret, code, now, 0)
	if err != nil || step != Step(now) {
		t.Fatalf("Verify current = %d, %v", step, err)
	}
	if _, err := Verify(secret, code, now, step); err == nil {
		t.Fatal("replayed code accepted")
	}
	prev, _ := Code(secret, now.Add(-Period))
	if _, err := Verify(secret, prev, now, step); err == nil {
		t.Fatal("code older than the last used one accepted")
	}
	if _, err := Verify(secret, prev, now, 0); err != nil {
		t.Fatalf("previous step refused: %v", err)
	}
	next, _ := Code(secret, now.Add(Period))
	if _, err := Verify(secret, next, now, 0); err != nil {
		t.Fatalf("next step refused: %v", err)
	}
	old, _ := Code(secret, now.Add(-2*Period))
	if _, err := Verify(secret, old, now, 0); err == nil {
		t.Fatal("code two steps old accepted")
	}
	for _, bad := range []string{"", "12345", "1234567", "abcdef"} {
		if _, err := Verify(secret, bad, now, 0); err == nil {
			t.Errorf("code %q accepted", bad)
		}
	}
	if _, err := Verify("not base32!", code, now, 0); err == nil {
		t.Error("bad secret accepted")
	}
}

func TestURI(t *testing.T) {
	u := URI("Capsule", "ada@example.com", "JBSWY3DPEHPK3PXP")
	if !strings.HasPrefix(u, "otpauth://totp/Capsule:ada@example.com?") || !strings.Contains(u, "secret=JBSWY3DPEHPK3PXP") {
		t.Fatalf("URI = %s", u)
	}
}

func TestRecoveryCodes(t *testing.T) {
	codes, hashes, err := NewRecoveryCodes(RecoveryCodeCount)
	if err != nil || len(codes) != RecoveryCodeCount || len(hashes) != RecoveryCodeCount {
		t.Fatalf("NewRecoveryCodes = %d, %d, %v", len(codes), len(hashes), err)
	}
	if len(codes[0]) != 19 || codes[0] == codes[1] {
		t.Fatalf("codes %v", codes[:2])
	}
	for _, h := range hashes {
		if strings.Contains(h, codes[0]) {
			t.Fatal("hash contains a code")
		}
	}
	typed := strings.ToUpper(strings.ReplaceAll(codes[3], "-", " "))
	if i := MatchRecoveryCode(typed, hashes); i != 3 {
		t.Fatalf("MatchRecoveryCode = %d, want 3", i)
	}
	if i := MatchRecoveryCode("aaaa-bbbb-cccc-dddd", hashes); i != -1 {
		t.Fatalf("wrong code matched %d", i)
	}
}

// FuzzSecret: a secret either decodes to at least 80 bits, gives codes and
// verifies its own current code once, or is refused by every function
// with the same error.
func FuzzSecret(f *testing.F) {
	for _, s := range []string{"JBSWY3DPEHPK3PXP", "jbsw y3dp ehpk 3pxp", "JBSWY3DPEHPK3PXP====", "", "0000", "GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", "ÀÉ", strings.Repeat("A", 400)} {
		f.Add(s)
	}
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, secret string) {
		key, err := DecodeSecret(secret)
		code, cerr := Code(secret, now)
		if err != nil {
			if cerr == nil {
				t.Fatalf("Code accepted %q that DecodeSecret refused", secret)
			}
			if _, verr := Verify(secret, "123456", now, 0); verr == nil || verr == ErrInvalidCode {
				t.Fatalf("Verify of bad secret %q: %v", secret, verr)
			}
			return
		}
		if len(key) < 10 || cerr != nil || len(code) != Digits {
			t.Fatalf("secret %q: %d-byte key, code %q, %v", secret, len(key), code, cerr)
		}
		step, err := Verify(secret, code, now, 0)
		if err != nil || step != Step(now) {
			t.Fatalf("own code refused: step %d, %v", step, err)
		}
		if _, err := Verify(secret, code, now, step); err != ErrInvalidCode {
			t.Fatalf("replayed code accepted: %v", err)
		}
	})
}

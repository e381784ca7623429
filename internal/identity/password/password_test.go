package password

import (
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
)

// fast keeps the tests quick; the format and the code paths are the same.
var fast = Params{Memory: 64, Time: 1, Threads: 1, SaltLen: 16, KeyLen: 32}

func TestHashVerifyRoundTrip(t *testing.T) {
	h, err := Hash("correct horse battery staple")
	if err != nil {
		t.Fatal(err)
	}
	if !strings.HasPrefix(h, "$argon2id$v=19$m=65536,t=1,p=2$") {
		t.Fatalf("hash %q is not PHC argon2id with the default params", h)
	}
	ok, err := Verify(h, "correct horse battery staple")
	if err != nil || !ok {
		t.Fatalf("Verify(right) = %v, %v", ok, err)
	}
	ok, err = Verify(h, "correct horse battery stapl")
	if err != nil || ok {
		t.Fatalf("Verify(wrong) = %v, %v", ok, err)
	}
	if NeedsRehash(h) {
		t.Error("fresh default hash needs rehash")
	}
}

func TestHashSaltsDiffer(t *testing.T) {
	a, _ := HashWith("same password here", fast)
	b, _ := HashWith("same password here", fast)
	if a == b {
		t.Fatal("two hashes of one password are equal: salt not random")
	}
	if !NeedsRehash(a) {
		t.Error("hash with weaker params should need rehash")
	}
}

func TestVerifyMalformed(t *testing.T) {
	good, _ := HashWith("some password 1", fast)
	parts := strings.Split(good, "$")
	cases := map[string]string{
		"empty":        "",
		"bcrypt":       "$2a$10$abcdefghijklmnopqrstuuABCDEFGHIJKLMNOPQRSTUVWXYZ01234",
		"argon2i":      strings.Replace(good, "argon2id", "argon2i", 1),
		"version":      strings.Replace(good, "v=19", "v=16", 1),
		"params":       strings.Join([]string{"", parts[1], parts[2], "m=x,t=1,p=1", parts[4], parts[5]}, "$"),
		"huge memory":  strings.Join([]string{"", parts[1], parts[2], "m=99999999,t=1,p=1", parts[4], parts[5]}, "$"),
		"zero threads": strings.Join([]string{"", parts[1], parts[2], "m=64,t=1,p=0", parts[4], parts[5]}, "$"),
		"bad salt":     strings.Join([]string{"", parts[1], parts[2], parts[3], "!!!", parts[5]}, "$"),
		"short key":    strings.Join([]string{"", parts[1], parts[2], parts[3], parts[4], "AAAA"}, "$"),
		"extra field":  good + "$x",
	}
	for name, h := range cases {
		t.Run(name, func(t *testing.T) {
			ok, err := Verify(h, "some password 1")
			if err == nil || ok {
				t.Fatalf("Verify(%q) = %v, %v; want malformed error", h, ok, err)
			}
		})
	}
}

func TestCheckPolicy(t *testing.T) {
	cases := []struct {
		pw string
		ok bool
	}{
		{"short", false},
		{"elevenchars", false},
		{"twelve chars", true},
		{"ünïcödé-pässwörd", true},
		{"aaaaaaaaaaaaaaaa", false},
		{"Password1234", false},
		{"tab\there-is-bad", false},
		{strings.Repeat("ab", 65), false},
		{"\xff\xfe invalid utf8 xx", false},
	}
	for _, c := range cases {
		err := CheckPolicy(c.pw)
		if (err == nil) != c.ok {
			t.Errorf("CheckPolicy(%q) = %v, want ok=%v", c.pw, err, c.ok)
		}
		if err != nil && capsule.ErrorKind(err) != capsule.KindInvalid {
			t.Errorf("CheckPolicy(%q) kind = %v, want KindInvalid", c.pw, capsule.ErrorKind(err))
		}
	}
}

func FuzzVerify(f *testing.F) {
	good, _ := HashWith("fuzz password", fast)
	f.Add(good, "fuzz password")
	f.Add("$argon2id$v=19$m=64,t=1,p=1$$", "")
	f.Add("$$$$$", "x")
	f.Fuzz(func(t *testing.T, encoded, pw string) {
		if len(encoded) > 512 {
			return
		}
		// Parameters a real hash may carry but that would make one fuzz
		// iteration slow are only decoded, not run.
		if p, _, _, err := decode(encoded); err == nil && (p.Memory > 1024 || p.Time > 2) {
			return
		}
		_, _ = Verify(encoded, pw) // must not panic
	})
}

func BenchmarkHash(b *testing.B) {
	for b.Loop() {
		if _, err := Hash("benchmark password"); err != nil {
			b.Fatal(err)
		}
	}
}

package audit

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

var t0 = time.Date(2026, 11, 22, 9, 0, 0, 123456000, time.UTC)

func chain(n int) []Entry {
	out := make([]Entry, n)
	prev := Genesis
	for i := range out {
		out[i] = Entry{
			Time: t0.Add(time.Duration(i) * time.Second), ActorType: ActorUser, ActorID: "usr_1",
			Action: "service.update", TargetType: "service", TargetID: fmt.Sprintf("svc_%d", i),
			OrganizationID: "org_1", RequestID: "req", IP: "127.0.0.1", UserAgent: "test",
			Outcome: OutcomeSuccess, Before: map[string]string{"replicas": "1"}, After: map[string]string{"replicas": "2"},
		}
		Seal(&out[i], prev.Seq, prev.Hash)
		prev = Anchor{Seq: out[i].Seq, Hash: out[i].Hash}
	}
	return out
}

func TestVerifyIntact(t *testing.T) {
	es := chain(5)
	r := Verify(es, Genesis)
	if r.Finding != nil || r.Checked != 5 || r.Head.Seq != 5 || r.Head.Hash != es[4].Hash {
		t.Fatalf("Verify = %+v", r)
	}
	// A segment verifies from its anchor, as after archiving.
	r = Verify(es[2:], Anchor{Seq: 2, Hash: es[1].Hash})
	if r.Finding != nil || r.Checked != 3 {
		t.Fatalf("segment Verify = %+v", r)
	}
	if r := Verify(nil, Genesis); r.Finding != nil || r.Head != Genesis {
		t.Fatalf("empty Verify = %+v", r)
	}
}

func TestVerifyTamper(t *testing.T) {
	cases := []struct {
		name    string
		tamper  func([]Entry) []Entry
		seq     int64
		problem string
	}{
		{"edit a field", func(es []Entry) []Entry { es[2].Outcome = OutcomeFailure; return es }, 3, Altered},
		{"edit a summary", func(es []Entry) []Entry { es[1].After = map[string]string{"replicas": "9"}; return es }, 2, Altered},
		{"edit and re-hash", func(es []Entry) []Entry {
			es[2].ActorID = "usr_evil"
			es[2].Hash = ComputeHash(&es[2])
			return es
		}, 3, Altered},
		{"edit the last entry", func(es []Entry) []Entry { es[5].Action = "x"; return es }, 6, Altered},
		{"remove one", func(es []Entry) []Entry { return append(es[:3:3], es[4:]...) }, 4, Removed},
		{"remove the first", func(es []Entry) []Entry { return es[1:] }, 1, Removed},
		{"insert a forged entry", func(es []Entry) []Entry {
			f := es[2]
			f.Seq, f.Action = 99, "forged"
			f.Hash = ComputeHash(&f)
			return append(es[:3:3], append([]Entry{f}, es[3:]...)...)
		}, 99, Inserted},
		{"insert and renumber", func(es []Entry) []Entry {
			f := Entry{Time: t0, ActorType: ActorSystem, Action: "forged", Outcome: OutcomeSuccess}
			Seal(&f, es[1].Seq, es[1].Hash)
			rest := append([]Entry(nil), es[2:]...)
			for i := range rest {
				rest[i].Seq++
			}
			return append(es[:2:2], append([]Entry{f}, rest...)...)
		}, 3, Inserted},
		{"duplicate seq", func(es []Entry) []Entry {
			return append(es[:3:3], append([]Entry{es[2]}, es[3:]...)...)
		}, 3, Inserted},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			r := Verify(c.tamper(chain(6)), Genesis)
			if r.Finding == nil || r.Finding.Seq != c.seq || r.Finding.Problem != c.problem {
				t.Fatalf("Verify = %+v (finding %+v), want %s at %d", r, r.Finding, c.problem, c.seq)
			}
			if r.Finding.Error() == "" || r.Finding.Detail == "" {
				t.Error("finding without detail")
			}
		})
	}
}

func TestCanonicalRoundTrip(t *testing.T) {
	e := chain(1)[0]
	data := Canonical(&e)
	got, err := Decode(data)
	if err != nil {
		t.Fatal(err)
	}
	got.Hash = e.Hash
	if ComputeHash(got) != e.Hash {
		t.Fatalf("decoded entry hashes differently:\n%s", data)
	}
	for _, bad := range [][]byte{nil, []byte(header), append(bytes.Clone(data), 'x'), data[:len(data)-2]} {
		if _, err := Decode(bad); err == nil {
			t.Errorf("Decode(%q) accepted", bad)
		}
	}
}

func TestRedact(t *testing.T) {
	got := Redact(map[string]string{"name": "db", "value": "hunter2", "apiKey": "cap_x", "Password": "p"})
	if got["name"] != "db" || got["value"] != Redacted || got["apiKey"] != Redacted || got["Password"] != Redacted {
		t.Fatalf("Redact = %v", got)
	}
	if Redact(nil) != nil {
		t.Error("Redact(nil) != nil")
	}
}

// FuzzCanonical checks that the encoding is unambiguous: any entry decodes
// back to itself, and entries differing in one field encode differently.
func FuzzCanonical(f *testing.F) {
	f.Add(int64(1), "user", "u=1:x\n", "a", "", "k", "v", int64(0))
	f.Add(int64(-5), "", "", "", "\n\n", "=", ":", int64(1e9))
	f.Add(int64(7), "apikey", "key_1", "service.delete", "10.0.0.1", "", "", int64(-1))
	f.Fuzz(func(t *testing.T, seq int64, actorType, actorID, action, ip, k, v string, nanos int64) {
		e := Entry{
			Seq: seq, Time: time.Unix(0, nanos).UTC(), ActorType: actorType, ActorID: actorID,
			Action: action, IP: ip, Outcome: OutcomeSuccess, PrevHash: GenesisHash,
		}
		if k != "" {
			e.After = map[string]string{k: v}
		}
		data := Canonical(&e)
		d, err := Decode(data)
		if err != nil {
			t.Fatalf("Decode(Canonical(e)) failed: %v\n%q", err, data)
		}
		if !bytes.Equal(Canonical(d), data) {
			t.Fatalf("round trip changed the encoding")
		}
		e2 := e
		e2.ActorID, e2.Action = e.ActorID+e.Action, ""
		if e.Action != "" && bytes.Equal(Canonical(&e2), data) {
			t.Fatalf("moving bytes between fields kept the encoding")
		}
		_, _ = Decode(data[:len(data)/2]) // must not panic
	})
}

func FuzzDecode(f *testing.F) {
	e := chain(1)[0]
	f.Add(Canonical(&e))
	f.Add([]byte(header + "seq=1:1\n"))
	f.Add([]byte(header + "seq=99999999999:1\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		d, err := Decode(data)
		if err == nil && !bytes.Equal(Canonical(d), data) {
			t.Fatalf("accepted a non-canonical encoding %q", data)
		}
	})
}

func BenchmarkVerify(b *testing.B) {
	es := chain(10000)
	for b.Loop() {
		if r := Verify(es, Genesis); r.Finding != nil {
			b.Fatal(r.Finding)
		}
	}
}

// TestChainPagesAgreeWithVerify feeds every tampered chain of
// TestVerifyTamper's kinds in pages of every size: the finding must not
// depend on where the pages meet.
func TestChainPagesAgreeWithVerify(t *testing.T) {
	tampers := map[string]func([]Entry) []Entry{
		"edit":   func(es []Entry) []Entry { es[3].Outcome = OutcomeFailure; return es },
		"rehash": func(es []Entry) []Entry { es[3].ActorID = "x"; es[3].Hash = ComputeHash(&es[3]); return es },
		"remove": func(es []Entry) []Entry { return append(es[:3:3], es[4:]...) },
		"insert": func(es []Entry) []Entry {
			f := Entry{Time: t0, ActorType: ActorSystem, Action: "forged", Outcome: OutcomeSuccess}
			Seal(&f, es[2].Seq, es[2].Hash)
			rest := append([]Entry(nil), es[3:]...)
			for i := range rest {
				rest[i].Seq++
			}
			return append(es[:3:3], append([]Entry{f}, rest...)...)
		},
		"intact": func(es []Entry) []Entry { return es },
	}
	for name, tamper := range tampers {
		es := tamper(chain(8))
		want := Verify(es, Genesis)
		for size := 1; size <= len(es); size++ {
			c := NewChain(Genesis)
			for i := 0; i < len(es); i += size {
				end := min(i+size, len(es))
				if c.Feed(es[i:end], end == len(es)) != nil {
					break
				}
			}
			got := c.Result()
			if got.Checked != want.Checked || got.Head != want.Head || fmt.Sprint(got.Finding) != fmt.Sprint(want.Finding) {
				t.Errorf("%s in pages of %d: %+v (%v), want %+v (%v)", name, size, got, got.Finding, want, want.Finding)
			}
		}
	}
}

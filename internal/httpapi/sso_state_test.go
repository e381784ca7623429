package httpapi

import (
	"bytes"
	"testing"
	"time"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/secretbox"
)

// FuzzSSOState: the state parameter comes back from the browser, so anyone
// can send anything. Only a state this server sealed, before it expires,
// opens; everything else is one 401 that says to start again.
func FuzzSSOState(f *testing.F) {
	kek, err := secretbox.NewKEK(bytes.Repeat([]byte{9}, secretbox.KeySize))
	if err != nil {
		f.Fatal(err)
	}
	ring := secretbox.NewKeyring(kek)
	now := time.Date(2026, 5, 1, 12, 0, 0, 0, time.UTC)
	good, err := sealState(ring, ssoState{Org: "acme", Verifier: "v", Nonce: "n", Expires: now.Add(time.Minute)})
	if err != nil {
		f.Fatal(err)
	}
	for _, s := range []string{good, good[:len(good)/2], "", "e30", "!!!", "eyJ2IjoxfQ", good + "A"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, text string) {
		st, err := openState(ring, text, now)
		if err != nil {
			if capsule.ErrorKind(err) != capsule.KindUnauthenticated {
				t.Fatalf("state %q: %v is not a 401", text, err)
			}
			return
		}
		if !now.Before(st.Expires) {
			t.Fatalf("expired state %q opened", text)
		}
		if st.Org != "acme" {
			t.Fatalf("state %q opened to %+v: only sealed states may open", text, st)
		}
		if _, err := openState(ring, text, st.Expires); err == nil {
			t.Fatalf("state %q still opens at its expiry", text)
		}
	})
}

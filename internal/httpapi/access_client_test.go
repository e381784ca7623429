package httpapi

import (
	"net/http"
	"net/netip"
	"strings"
	"testing"
)

func TestClientAddress(t *testing.T) {
	trusted, err := ParseTrustedProxies("10.0.0.0/8, 192.0.2.7")
	if err != nil {
		t.Fatal(err)
	}
	for _, c := range []struct {
		name, peer, xff, fwd, want string
	}{
		{"untrusted peer ignores headers", "198.51.100.1:5000", "203.0.113.9", "", "198.51.100.1"},
		{"trusted peer names the client", "10.1.2.3:5000", "203.0.113.9", "", "203.0.113.9"},
		{"chain of trusted proxies", "10.1.2.3:5000", "203.0.113.9, 192.0.2.7, 10.9.9.9", "", "203.0.113.9"},
		{"a spoofed left entry is not believed", "10.1.2.3:5000", "1.1.1.1, 203.0.113.9", "", "203.0.113.9"},
		{"Forwarded wins over X-Forwarded-For", "10.1.2.3:5000", "203.0.113.9", `for="[2001:db8::1]:4711";proto=https`, "2001:db8::1"},
		{"malformed hop stops at the last trusted", "10.1.2.3:5000", "203.0.113.9, garbage", "", "10.1.2.3"},
		{"all trusted: the leftmost", "10.1.2.3:5000", "10.0.0.1", "", "10.0.0.1"},
	} {
		r := &http.Request{RemoteAddr: c.peer, Header: http.Header{}}
		if c.xff != "" {
			r.Header.Set("X-Forwarded-For", c.xff)
		}
		if c.fwd != "" {
			r.Header.Set("Forwarded", c.fwd)
		}
		if got := clientAddress(r, trusted); got != c.want {
			t.Errorf("%s: %q, want %q", c.name, got, c.want)
		}
	}
	if _, err := ParseTrustedProxies("10.0.0.0/8,proxy.internal"); err == nil || !strings.Contains(err.Error(), "proxy.internal") {
		t.Errorf("bad entry: %v", err)
	}
}

// FuzzTrustedProxies: any list either parses into prefixes or is refused
// naming the bad entry; resolving a client through any headers never
// panics and answers an address or the peer.
func FuzzTrustedProxies(f *testing.F) {
	for _, s := range []string{"", "10.0.0.0/8", "10.0.0.0/8,192.0.2.7", "::1", "fe80::1%eth0", "1.2.3.4/33", " , ,", "2001:db8::/32"} {
		f.Add(s, "203.0.113.9, 10.0.0.1", `for=192.0.2.60;proto=http, for="[2001:db8:cafe::17]:4711"`)
	}
	f.Fuzz(func(t *testing.T, list, xff, fwd string) {
		ps, err := ParseTrustedProxies(list)
		if err != nil {
			if !strings.Contains(err.Error(), "trusted proxy") {
				t.Fatalf("error does not say what was wrong: %v", err)
			}
			return
		}
		for _, p := range ps {
			if !p.IsValid() {
				t.Fatalf("%q gave invalid prefix %v", list, p)
			}
		}
		r := &http.Request{RemoteAddr: "10.0.0.1:1", Header: http.Header{"X-Forwarded-For": {xff}, "Forwarded": {fwd}}}
		got := clientAddress(r, ps)
		if _, err := netip.ParseAddr(got); err != nil && got != "10.0.0.1" {
			t.Fatalf("client %q is not an address", got)
		}
	})
}

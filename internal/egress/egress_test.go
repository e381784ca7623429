package egress_test

import (
	"context"
	"errors"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"testing"
	"time"

	"github.com/usecapsule/capsule/internal/egress"
)

const marker = "REMOTE-BODY-MARKER-7f3a"

func loopbackServer(t *testing.T, h http.HandlerFunc) *httptest.Server {
	t.Helper()
	srv := httptest.NewServer(h)
	t.Cleanup(srv.Close)
	return srv
}

func allowLoopback(t *testing.T) []netip.Prefix {
	t.Helper()
	p, err := egress.ParseAllow("127.0.0.0/8, ::1")
	if err != nil {
		t.Fatal(err)
	}
	return p
}

func get(c *http.Client, u string) (string, error) {
	resp, err := c.Get(u)
	if err != nil {
		return "", err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	return string(b), err
}

// TestRefusesLoopbackByDefault: a real server on 127.0.0.1 is refused, the
// error names the URL and the reason, and nothing it would serve leaks.
func TestRefusesLoopbackByDefault(t *testing.T) {
	hits := 0
	srv := loopbackServer(t, func(w http.ResponseWriter, _ *http.Request) { hits++; io.WriteString(w, marker) })
	_, err := get(egress.New(egress.Options{}), srv.URL+"/x?key=secret")
	e, ok := egress.AsError(err)
	if !ok || !e.Refused {
		t.Fatalf("want a refusal, got %v", err)
	}
	// Callers show the Error itself: the url.Error around it repeats the
	// whole URL, query included.
	msg := e.Error()
	for _, want := range []string{srv.URL + "/x", "127.0.0.1 is loopback", "--egress-allow"} {
		if !strings.Contains(msg, want) {
			t.Errorf("error %q lacks %q", msg, want)
		}
	}
	if strings.Contains(msg, "secret") || strings.Contains(msg, marker) || hits != 0 {
		t.Fatalf("error %q leaks the query or the server was reached (%d hits)", msg, hits)
	}
}

// TestAllowList: the same server is reachable once its network is allowed.
func TestAllowList(t *testing.T) {
	srv := loopbackServer(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, "hello") })
	body, err := get(egress.New(egress.Options{Allow: allowLoopback(t)}), srv.URL)
	if err != nil || body != "hello" {
		t.Fatalf("allowed loopback: %q, %v", body, err)
	}
	narrow, _ := egress.ParseAllow("127.0.0.2")
	if _, err := get(egress.New(egress.Options{Allow: narrow}), srv.URL); err == nil {
		t.Fatal("127.0.0.2 allowed 127.0.0.1")
	}
}

// TestLocalhostName: a host name is judged by what it resolves to.
func TestLocalhostName(t *testing.T) {
	srv := loopbackServer(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, marker) })
	_, port, _ := net.SplitHostPort(srv.Listener.Addr().String())
	_, err := get(egress.New(egress.Options{}), "http://localhost:"+port+"/")
	if e, ok := egress.AsError(err); !ok || !e.Refused || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("localhost: %v", err)
	}
}

// TestRedirectToLoopback: an allowed server redirecting to a refused
// address is refused on the hop, because every hop dials again.
func TestRedirectToLoopback(t *testing.T) {
	target := loopbackServer(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, marker) })
	_, port, _ := net.SplitHostPort(target.Listener.Addr().String())
	// Only 127.0.0.1 is allowed; the redirect goes to 127.0.0.2 (same
	// server on Linux, where all of 127/8 is local).
	allow, _ := egress.ParseAllow("127.0.0.1")
	front := loopbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "http://127.0.0.2:"+port+"/secret", http.StatusFound)
	})
	_, err := get(egress.New(egress.Options{Allow: allow}), front.URL)
	if e, ok := egress.AsError(err); !ok || !e.Refused || !strings.Contains(err.Error(), "127.0.0.2") {
		t.Fatalf("redirect: %v", err)
	}
}

// TestRedirectLimit: a redirect loop stops at the limit.
func TestRedirectLimit(t *testing.T) {
	n := 0
	srv := loopbackServer(t, func(w http.ResponseWriter, r *http.Request) { n++; http.Redirect(w, r, "/again", http.StatusFound) })
	_, err := get(egress.New(egress.Options{Allow: allowLoopback(t), MaxRedirects: 3}), srv.URL)
	if !strings.Contains(err.Error(), "more than 3 redirects") || n != 4 {
		t.Fatalf("after %d requests: %v", n, err)
	}
}

// TestBodyLimit: a body past the limit fails the read, with or without a
// Content-Length; a body of exactly the limit is read whole.
func TestBodyLimit(t *testing.T) {
	big := strings.Repeat("x", 2000)
	srv := loopbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Query().Get("chunked") != "" {
			w.(http.Flusher).Flush()
		}
		io.WriteString(w, big[:len(r.URL.Path)*100])
	})
	c := egress.New(egress.Options{Allow: allowLoopback(t), MaxBodyBytes: 1000})
	for _, u := range []string{srv.URL + "/" + strings.Repeat("a", 19), srv.URL + "/" + strings.Repeat("a", 19) + "?chunked=1"} {
		_, err := get(c, u)
		if err == nil || !strings.Contains(err.Error(), "exceeds the limit of 1000") || strings.Contains(err.Error(), "xxx") {
			t.Fatalf("%s: %v", u, err)
		}
	}
	if body, err := get(c, srv.URL+"/"+strings.Repeat("a", 9)+"?chunked=1"); err != nil || len(body) != 1000 {
		t.Fatalf("exactly the limit: %d bytes, %v", len(body), err)
	}
}

// TestOpenAndClosedPortsAnswerAlike: with the guard on, whether something
// listens makes no difference to the answer.
func TestOpenAndClosedPortsAnswerAlike(t *testing.T) {
	open := loopbackServer(t, func(w http.ResponseWriter, _ *http.Request) { io.WriteString(w, marker) })
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	closed := "http://" + ln.Addr().String()
	ln.Close()
	c := egress.New(egress.Options{})
	_, e1 := get(c, open.URL+"/p")
	_, e2 := get(c, closed+"/p")
	r1, _ := egress.AsError(e1)
	r2, _ := egress.AsError(e2)
	if r1 == nil || r2 == nil || r1.Reason != r2.Reason {
		t.Fatalf("open: %v; closed: %v", e1, e2)
	}
}

// TestTimeout: a server that never answers is cut off.
func TestTimeout(t *testing.T) {
	release := make(chan struct{})
	srv := loopbackServer(t, func(w http.ResponseWriter, r *http.Request) {
		select {
		case <-release:
		case <-r.Context().Done():
		}
	})
	defer close(release)
	start := time.Now()
	_, err := get(egress.New(egress.Options{Allow: allowLoopback(t), Timeout: 200 * time.Millisecond}), srv.URL)
	if e, ok := egress.AsError(err); !ok || e.Reason != "timed out" || time.Since(start) > 5*time.Second {
		t.Fatalf("after %s: %v", time.Since(start), err)
	}
}

// TestSchemes: only http and https.
func TestSchemes(t *testing.T) {
	req, _ := http.NewRequestWithContext(context.Background(), "GET", "file:///etc/passwd", nil)
	_, err := egress.New(egress.Options{}).Do(req)
	if !errors.As(err, new(*egress.Error)) {
		t.Fatalf("file URL: %v", err)
	}
}

func TestClassify(t *testing.T) {
	for addr, want := range map[string]string{
		"127.0.0.1":              "loopback",
		"127.255.0.9":            "loopback",
		"::1":                    "loopback",
		"::ffff:127.0.0.1":       "loopback",
		"0.0.0.0":                "unspecified (this host)",
		"::":                     "unspecified (this host)",
		"10.1.2.3":               "private",
		"172.31.255.255":         "private",
		"192.168.0.1":            "private",
		"::ffff:192.168.0.1":     "private",
		"100.64.0.1":             "shared address space (carrier-grade NAT)",
		"169.254.169.254":        "a cloud metadata service",
		"::ffff:169.254.169.254": "a cloud metadata service",
		"fd00:ec2::254":          "a cloud metadata service",
		"169.254.1.1":            "link-local",
		"fe80::1":                "link-local",
		"fe80::1%eth0":           "link-local",
		"fc00::1":                "unique-local",
		"fd12:3456::1":           "unique-local",
		"224.0.0.1":              "multicast",
		"ff02::1":                "multicast",
		"255.255.255.255":        "reserved",
		"64:ff9b::7f00:1":        "loopback (embedded in 64:ff9b::7f00:1)",
		"::7f00:1":               "loopback (embedded in ::7f00:1)",
		"8.8.8.8":                "",
		"172.32.0.1":             "",
		"100.128.0.1":            "",
		"2606:4700::1111":        "",
		"64:ff9b::808:808":       "",
	} {
		if got := egress.Classify(netip.MustParseAddr(addr)); got != want {
			t.Errorf("%s: %q, want %q", addr, got, want)
		}
	}
}

func TestParseAllow(t *testing.T) {
	got, err := egress.ParseAllow(" 10.0.0.0/8 ,192.168.1.5, fd00::/8 ")
	if err != nil || len(got) != 3 || got[1].String() != "192.168.1.5/32" {
		t.Fatalf("%v, %v", got, err)
	}
	for in, want := range map[string]string{
		"10.0.0.0/8,":    "entry 2 is empty",
		"10.1.2.3/8":     "did you mean 10.0.0.0/8?",
		"intranet":       `entry 1 "intranet": is neither an IP address nor a CIDR`,
		"10.0.0.0/33":    "is not a CIDR",
		"fe80::1%eth0":   "is neither",
		"10.0.0.0/8,x/1": "entry 2",
	} {
		if _, err := egress.ParseAllow(in); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%q: %v, want %q", in, err, want)
		}
	}
}

// FuzzParseAllow: any input parses or fails with an error naming an entry;
// every parsed prefix is canonical and contains its own address.
func FuzzParseAllow(f *testing.F) {
	for _, s := range []string{"", "10.0.0.0/8", "127.0.0.1,::1", "10.1.0.0/8", ",", "fd00::/8, 192.168.0.0/16", "::ffff:10.0.0.0/104", "1.2.3.4/0", "a/b/c"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		ps, err := egress.ParseAllow(s)
		if err != nil {
			if !strings.HasPrefix(err.Error(), "entry ") {
				t.Fatalf("%q: error %q names no entry", s, err)
			}
			return
		}
		for _, p := range ps {
			if !p.IsValid() || p.Masked() != p || !p.Contains(p.Addr()) {
				t.Fatalf("%q: bad prefix %v", s, p)
			}
		}
	})
}

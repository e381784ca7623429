// Package egress is the one HTTP client for every request Capsule makes to
// another server: OpenID Connect discovery and key sets, the LLM endpoint,
// and any later Git provider, webhook or billing source.
//
// A URL that a signed-in user can set (an organization's SSO issuer) must
// not turn the server into a proxy onto its own network, so the client
// refuses loopback, unspecified, private, shared (CGNAT), link-local,
// unique-local, multicast, reserved and cloud-metadata addresses unless an
// allow-list CIDR (capsule server --egress-allow) covers them. The check
// runs in the dialer's Control hook on the address actually being
// connected to, after DNS resolution: a name that resolves to a public
// address once and to 127.0.0.1 the next time (DNS rebinding) is refused
// on the connection that would reach 127.0.0.1, and every redirect hop is
// checked the same way because it dials again.
//
// No proxy is used, not even one from $HTTPS_PROXY: through a proxy the
// dialer would only see the proxy's address and the check would guard
// nothing. An installation that must go through a proxy has to allow it
// explicitly; that is left for when it is needed.
//
// Time, redirects and response size are bounded, and errors name the URL
// and the reason, never anything the remote server sent.
package egress

import (
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"syscall"
	"time"
)

// Defaults of Options.
const (
	DefaultTimeout      = 30 * time.Second
	DefaultMaxRedirects = 5
	DefaultMaxBodyBytes = 10 << 20
)

// Options configure a guarded client. The zero value refuses every
// non-public address and uses the defaults above.
type Options struct {
	// Allow lists networks that may be reached although they are not
	// public (an on-premises identity provider, a local LLM).
	Allow []netip.Prefix
	// Timeout bounds one request including reading its body.
	Timeout time.Duration
	// MaxRedirects is how many redirects one request may follow.
	MaxRedirects int
	// MaxBodyBytes bounds a response body; reading past it fails.
	MaxBodyBytes int64
}

// Error is an outbound request that was refused or failed. Its message
// names the URL (without credentials) and the reason; it never carries
// the remote server's response.
type Error struct {
	URL    string
	Reason string
	// Refused is true when the guard refused the destination (as opposed to
	// a failure such as a timeout or an oversized response).
	Refused bool
}

func (e *Error) Error() string {
	if e.Refused {
		return "egress: refusing " + e.URL + ": " + e.Reason
	}
	return "egress: " + e.URL + ": " + e.Reason
}

// AsError finds the *Error in err's chain. http.Client wraps it in a
// *url.Error that repeats the full URL, query included, so messages shown
// to users should be built from the *Error.
func AsError(err error) (*Error, bool) {
	var e *Error
	ok := errors.As(err, &e)
	return e, ok
}

// New returns a guarded client.
func New(o Options) *http.Client {
	if o.Timeout <= 0 {
		o.Timeout = DefaultTimeout
	}
	if o.MaxRedirects <= 0 {
		o.MaxRedirects = DefaultMaxRedirects
	}
	if o.MaxBodyBytes <= 0 {
		o.MaxBodyBytes = DefaultMaxBodyBytes
	}
	g := &guard{allow: append([]netip.Prefix(nil), o.Allow...)}
	dialer := &net.Dialer{Timeout: 10 * time.Second, KeepAlive: 30 * time.Second, Control: g.control}
	tr := &http.Transport{
		Proxy:                  nil, // see the package comment
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		MaxIdleConns:           32,
		IdleConnTimeout:        90 * time.Second,
		TLSHandshakeTimeout:    10 * time.Second,
		ResponseHeaderTimeout:  o.Timeout,
		ExpectContinueTimeout:  time.Second,
		MaxResponseHeaderBytes: 64 << 10,
	}
	return &http.Client{
		// The timeout lives in the transport, not in http.Client.Timeout,
		// whose error is a plain string that loses the *Error.
		Transport: &transport{next: tr, maxBody: o.MaxBodyBytes, timeout: o.Timeout},
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) > o.MaxRedirects {
				return &Error{URL: redact(via[0].URL), Reason: fmt.Sprintf("more than %d redirects", o.MaxRedirects)}
			}
			return nil
		},
	}
}

// guard decides which addresses may be dialed.
type guard struct{ allow []netip.Prefix }

// control runs for every connection after name resolution, with the
// address being dialed.
func (g *guard) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &Error{URL: address, Reason: "cannot parse the dialed address", Refused: true}
	}
	return g.check(ap.Addr())
}

// check returns a refusal for a non-public address not on the allow-list.
func (g *guard) check(ip netip.Addr) error {
	ip = ip.WithZone("")
	for _, p := range g.allow {
		if p.Contains(ip) || p.Contains(ip.Unmap()) {
			return nil
		}
	}
	if why := Classify(ip); why != "" {
		return &blocked{addr: ip.Unmap(), why: why}
	}
	return nil
}

// blocked is the dialer's refusal; the transport turns it into an Error
// naming the URL.
type blocked struct {
	addr netip.Addr
	why  string
}

func (b *blocked) Error() string {
	return fmt.Sprintf("address %s is %s (allow it with --egress-allow)", b.addr, b.why)
}

// transport turns failures into Errors naming the URL and bounds bodies.
type transport struct {
	next    http.RoundTripper
	maxBody int64
	timeout time.Duration
}

var errTimeout = errors.New("egress: timed out")

func (t *transport) RoundTrip(req *http.Request) (*http.Response, error) {
	u := redact(req.URL)
	if req.URL.Scheme != "http" && req.URL.Scheme != "https" {
		return nil, &Error{URL: u, Reason: "only http and https URLs are fetched", Refused: true}
	}
	// One deadline covers the exchange and the reading of the body; each
	// redirect hop gets its own.
	ctx, cancel := context.WithTimeoutCause(req.Context(), t.timeout, errTimeout)
	req = req.WithContext(ctx)
	resp, err := t.next.RoundTrip(req)
	if err != nil {
		cancel()
		return nil, failure(u, withContext(ctx, err))
	}
	if resp.ContentLength > t.maxBody {
		resp.Body.Close()
		cancel()
		return nil, &Error{URL: u, Reason: fmt.Sprintf("response body of %d bytes exceeds the limit of %d", resp.ContentLength, t.maxBody)}
	}
	resp.Body = &limitedBody{rc: resp.Body, left: t.maxBody, url: u, max: t.maxBody, ctx: ctx, cancel: cancel}
	return resp, nil
}

// failure explains err without echoing anything the remote sent. Dial
// failures are not told apart (refused, unreachable, reset): an open and a
// closed port of the same host must give one answer.
func failure(u string, err error) error {
	var b *blocked
	var e *Error
	switch {
	case errors.As(err, &b):
		return &Error{URL: u, Reason: b.Error(), Refused: true}
	case errors.As(err, &e):
		return err
	case errors.Is(err, errTimeout), isTimeout(err):
		return &Error{URL: u, Reason: "timed out"}
	case errors.Is(err, context.Canceled):
		return &Error{URL: u, Reason: "the request was cancelled"}
	}
	var op *net.OpError
	if errors.As(err, &op) && op.Op == "dial" {
		return &Error{URL: u, Reason: "could not connect"}
	}
	var dns *net.DNSError
	if errors.As(err, &dns) {
		return &Error{URL: u, Reason: "the host name does not resolve"}
	}
	return &Error{URL: u, Reason: "the connection failed"}
}

func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}

// limitedBody fails a read past max bytes instead of truncating silently:
// a cut-off JSON document must not look complete.
type limitedBody struct {
	rc        io.ReadCloser
	left, max int64
	url       string
	ctx       context.Context
	cancel    context.CancelFunc
}

func (l *limitedBody) Read(p []byte) (int, error) {
	if l.left <= 0 {
		// One byte more tells a body of exactly max bytes from a longer one.
		var one [1]byte
		n, err := l.rc.Read(one[:])
		if n > 0 {
			return 0, &Error{URL: l.url, Reason: fmt.Sprintf("response body exceeds the limit of %d bytes", l.max)}
		}
		return 0, l.explain(err)
	}
	if int64(len(p)) > l.left {
		p = p[:l.left]
	}
	n, err := l.rc.Read(p)
	l.left -= int64(n)
	return n, l.explain(err)
}

func (l *limitedBody) explain(err error) error {
	if err == nil || err == io.EOF {
		return err
	}
	return failure(l.url, withContext(l.ctx, err))
}

// withContext prefers the request context's own error: http.Client's
// Timeout ends a request by cancelling it, which the transport reports as
// a bare cancellation.
func withContext(ctx context.Context, err error) error {
	if cerr := context.Cause(ctx); cerr != nil {
		return errors.Join(cerr, err)
	}
	return err
}

func (l *limitedBody) Close() error {
	err := l.rc.Close()
	l.cancel()
	return err
}

// redact drops credentials and the query (which may hold keys) from u.
func redact(u *url.URL) string {
	c := *u
	c.User = nil
	c.RawQuery = ""
	c.ForceQuery = false
	c.Fragment = ""
	return c.String()
}

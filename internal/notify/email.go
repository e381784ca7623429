package notify

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"mime"
	"net"
	"net/http"
	"net/netip"
	"net/smtp"
	"slices"
	"strings"
	"syscall"
	"time"

	"github.com/usecapsule/capsule/internal/egress"
)

// TLS modes of an email channel.
const (
	TLSStartTLS = "starttls" // the default: plain connection upgraded with STARTTLS, required
	TLSImplicit = "tls"      // TLS from the first byte (port 465)
	TLSNone     = "none"     // no TLS: only when the channel says so
)

// Email sends mail over SMTP. TLS is required (STARTTLS by default) unless
// TLS is TLSNone; a server that does not offer STARTTLS is refused rather
// than sent the password in clear.
type Email struct {
	Host     string
	Port     int
	Username string
	Password string // secret
	From     string
	To       []string
	TLS      string
	// Allow are the non-public networks the server may be on
	// (--egress-allow), as for every outbound request.
	Allow []netip.Prefix
	// RootCAs verifies the server's certificate; nil is the system pool.
	RootCAs *x509.CertPool
	// Timeout bounds the whole exchange (default 30 s).
	Timeout time.Duration
}

// Send delivers one mail to every recipient. hc is unused: SMTP is not HTTP,
// but the dial goes through the same address policy.
func (e Email) Send(ctx context.Context, _ *http.Client, m Message) error {
	return e.send(ctx, m)
}

func (e Email) send(ctx context.Context, m Message) error {
	timeout := e.Timeout
	if timeout <= 0 {
		timeout = 30 * time.Second
	}
	ctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	addr := net.JoinHostPort(e.Host, fmt.Sprint(e.Port))
	d := &net.Dialer{Control: e.control}
	conn, err := d.DialContext(ctx, "tcp", addr)
	if err != nil {
		var r *refused
		if errorsAs(err, &r) {
			return failed("email", "refusing %s: %s", addr, r.why)
		}
		return failed("email", "cannot connect to %s", addr)
	}
	deadline, _ := ctx.Deadline()
	_ = conn.SetDeadline(deadline)
	tlsConf := &tls.Config{ServerName: e.Host, RootCAs: e.RootCAs, MinVersion: tls.VersionTLS12}
	if e.TLS == TLSImplicit {
		conn = tls.Client(conn, tlsConf)
	}
	c, err := smtp.NewClient(conn, e.Host)
	if err != nil {
		conn.Close()
		return failed("email", "%s did not greet as an SMTP server", addr)
	}
	defer c.Close()
	if e.TLS == "" || e.TLS == TLSStartTLS {
		if ok, _ := c.Extension("STARTTLS"); !ok {
			return failed("email", "%s does not offer STARTTLS, which this channel requires", addr)
		}
		if err := c.StartTLS(tlsConf); err != nil {
			return failed("email", "STARTTLS with %s failed: %v", addr, tlsReason(err))
		}
	}
	if e.Username != "" {
		if err := c.Auth(smtp.PlainAuth("", e.Username, e.Password, e.Host)); err != nil {
			return failed("email", "%s refused the credentials", addr)
		}
	}
	if err := c.Mail(e.From); err != nil {
		return failed("email", "%s refused the sender %s", addr, e.From)
	}
	for _, to := range e.To {
		if err := c.Rcpt(to); err != nil {
			return failed("email", "%s refused the recipient %s", addr, to)
		}
	}
	w, err := c.Data()
	if err != nil {
		return failed("email", "%s refused the message", addr)
	}
	if _, err := w.Write(mailBody(e.From, e.To, m)); err != nil {
		return failed("email", "writing the message to %s failed", addr)
	}
	if err := w.Close(); err != nil {
		return failed("email", "%s refused the message", addr)
	}
	return c.Quit()
}

// tlsReason names a TLS failure without the server's words.
func tlsReason(err error) string {
	var uerr x509.UnknownAuthorityError
	var herr x509.HostnameError
	switch {
	case errorsAs(err, &uerr):
		return "certificate signed by an unknown authority"
	case errorsAs(err, &herr):
		return "certificate not valid for the host"
	}
	return "handshake failed"
}

// mailBody is a plain-text mail with the title as subject.
func mailBody(from string, to []string, m Message) []byte {
	var b strings.Builder
	hdr := func(k, v string) { b.WriteString(k + ": " + v + "\r\n") }
	hdr("From", from)
	hdr("To", strings.Join(to, ", "))
	hdr("Subject", mime.QEncoding.Encode("utf-8", m.Title))
	hdr("Date", m.Time.UTC().Format(time.RFC1123Z))
	hdr("MIME-Version", "1.0")
	hdr("Content-Type", "text/plain; charset=utf-8")
	hdr("X-Capsule-Event", m.Kind)
	b.WriteString("\r\n")
	text := m.Text
	if m.URL != "" {
		text += "\n\n" + m.URL
	}
	b.WriteString(strings.ReplaceAll(text, "\n", "\r\n") + "\r\n")
	return []byte(b.String())
}

// refused is the dialer's refusal of a non-public address.
type refused struct{ why string }

func (r *refused) Error() string { return r.why }

// control applies egress's address policy to the dialed address.
func (e Email) control(_, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return &refused{why: "cannot parse the dialed address"}
	}
	ip := ap.Addr().Unmap()
	if slices.ContainsFunc(e.Allow, func(p netip.Prefix) bool { return p.Contains(ip) }) {
		return nil
	}
	if why := egress.Classify(ip); why != "" {
		return &refused{why: why + " address " + ip.String() + " (allow it with --egress-allow)"}
	}
	return nil
}

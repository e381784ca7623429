package notify_test

import (
	"context"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"net/netip"
	"strconv"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"

	"github.com/usecapsule/capsule/internal/notify"
)

// mailServer is a go-smtp server on 127.0.0.1 that offers STARTTLS with a
// test certificate (when tlsOn), requires PLAIN auth after it, and keeps
// what it receives.
type mailServer struct {
	host string
	port int
	pool *x509.CertPool
	mu   sync.Mutex
	mail []received
}

type received struct {
	from string
	to   []string
	data string
	tls  bool
}

type session struct {
	srv  *mailServer
	conn *smtp.Conn
	cur  received
	auth bool
}

func (s *session) AuthMechanisms() []string { return []string{sasl.Plain} }
func (s *session) Auth(mech string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(identity, user, pass string) error {
		if user != "capsule" || pass != "mail-password" {
			return errors.New("invalid credentials")
		}
		s.auth = true
		return nil
	}), nil
}
func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if !s.auth {
		return smtp.ErrAuthRequired
	}
	s.cur.from = from
	return nil
}
func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.cur.to = append(s.cur.to, to)
	return nil
}
func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, s.cur.tls = s.conn.TLSConnectionState()
	s.cur.data = string(b)
	s.srv.mu.Lock()
	s.srv.mail = append(s.srv.mail, s.cur)
	s.srv.mu.Unlock()
	return nil
}
func (s *session) Reset()        { s.cur = received{} }
func (s *session) Logout() error { return nil }

func startMailServer(t *testing.T, tlsOn bool) *mailServer {
	t.Helper()
	ms := &mailServer{host: "127.0.0.1"}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) { return &session{srv: ms, conn: c}, nil }))
	srv.Domain = "mail.test"
	srv.AllowInsecureAuth = !tlsOn
	srv.ReadTimeout, srv.WriteTimeout = 5*time.Second, 5*time.Second
	if tlsOn {
		cert, pool := testCert(t)
		srv.TLSConfig = &tls.Config{Certificates: []tls.Certificate{cert}}
		ms.pool = pool
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	must(t, err)
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { srv.Close() })
	ms.port = ln.Addr().(*net.TCPAddr).Port
	return ms
}

// testCert is a self-signed certificate for 127.0.0.1 and the pool that trusts it.
func testCert(t *testing.T) (tls.Certificate, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err)
	tmpl := &x509.Certificate{SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mail.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.ParseIP("127.0.0.1")}, KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth}, IsCA: true, BasicConstraintsValid: true}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err)
	c, err := x509.ParseCertificate(der)
	must(t, err)
	pool := x509.NewCertPool()
	pool.AddCert(c)
	return tls.Certificate{Certificate: [][]byte{der}, PrivateKey: key}, pool
}

func (ms *mailServer) channel() notify.Email {
	return notify.Email{Host: ms.host, Port: ms.port, Username: "capsule", Password: "mail-password", From: "capsule@example.com",
		To: []string{"oncall@example.com", "sre@example.com"}, RootCAs: ms.pool, Timeout: 5 * time.Second,
		Allow: []netip.Prefix{netip.MustParsePrefix("127.0.0.1/32")}}
}

func TestEmailOverSTARTTLS(t *testing.T) {
	ms := startMailServer(t, true)
	must(t, ms.channel().Send(context.Background(), nil, msg))
	ms.mu.Lock()
	defer ms.mu.Unlock()
	if len(ms.mail) != 1 {
		t.Fatalf("%d mails", len(ms.mail))
	}
	m := ms.mail[0]
	if !m.tls || m.from != "capsule@example.com" || strings.Join(m.to, ",") != "oncall@example.com,sre@example.com" {
		t.Errorf("mail %+v", m)
	}
	for _, want := range []string{"Subject: Deployment failed: api in production", "image pull failed", msg.URL, "X-Capsule-Event: deployment.failed"} {
		if !strings.Contains(m.data, want) {
			t.Errorf("mail lacks %q:\n%s", want, m.data)
		}
	}
}

// TestEmailRequiresTLS: a server without STARTTLS is refused (no password
// in clear) unless the channel says TLS none; an untrusted certificate and
// a loopback server without the allow list are refused too.
func TestEmailRequiresTLS(t *testing.T) {
	plain := startMailServer(t, false)
	ch := plain.channel()
	if err := ch.Send(context.Background(), nil, msg); err == nil || !strings.Contains(err.Error(), "STARTTLS") {
		t.Errorf("server without STARTTLS: %v", err)
	}
	ch.TLS = notify.TLSNone
	must(t, ch.Send(context.Background(), nil, msg))

	secure := startMailServer(t, true)
	ch = secure.channel()
	ch.RootCAs = x509.NewCertPool()
	if err := ch.Send(context.Background(), nil, msg); err == nil || !strings.Contains(err.Error(), "unknown authority") {
		t.Errorf("untrusted certificate: %v", err)
	}
	ch = secure.channel()
	ch.Allow = nil
	if err := ch.Send(context.Background(), nil, msg); err == nil || !strings.Contains(err.Error(), "refusing 127.0.0.1:"+strconv.Itoa(secure.port)) {
		t.Errorf("loopback without allow: %v", err)
	}
}

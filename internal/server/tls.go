package server

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/pem"
	"errors"
	"fmt"
	"io/fs"
	"math/big"
	"net"
	"os"
	"path/filepath"
	"time"
)

// Self-signed certificate files, under <data dir>/tls.
const (
	selfSignedCert = "self-signed.crt"
	selfSignedKey  = "self-signed.key"
)

// validateTLS reports inconsistent TLS flags.
func (o *Options) validateTLS() error {
	switch {
	case (o.TLSCert == "") != (o.TLSKey == ""):
		return errors.New("--tls-cert and --tls-key go together")
	case o.TLSSelfSigned && o.TLSCert != "":
		return errors.New("--tls-self-signed cannot be combined with --tls-cert/--tls-key")
	}
	return nil
}

// scheme is the URL scheme the server answers on.
func (o *Options) scheme() string {
	if o.TLSCert != "" || o.TLSSelfSigned {
		return "https"
	}
	return "http"
}

// wrapTLS serves ln with TLS 1.3 when a certificate is configured: the
// given files, or a self-signed certificate for development (generated once
// in the data directory, key mode 0600, with a warning).
func (o *Options) wrapTLS(ln net.Listener) (net.Listener, error) {
	var cert tls.Certificate
	var err error
	switch {
	case o.TLSCert != "":
		cert, err = tls.LoadX509KeyPair(o.TLSCert, o.TLSKey)
	case o.TLSSelfSigned:
		cert, err = o.selfSigned()
	default:
		return ln, nil
	}
	if err != nil {
		return nil, fmt.Errorf("TLS certificate: %w", err)
	}
	// ALPN offers HTTP/2 first (gRPC needs it), as ServeTLS would.
	return tls.NewListener(ln, &tls.Config{MinVersion: tls.VersionTLS13, Certificates: []tls.Certificate{cert},
		NextProtos: []string{"h2", "http/1.1"}}), nil
}

// selfSigned loads or makes the development certificate.
func (o *Options) selfSigned() (tls.Certificate, error) {
	dir := filepath.Join(o.DataDir, "tls")
	certPath, keyPath := filepath.Join(dir, selfSignedCert), filepath.Join(dir, selfSignedKey)
	cert, err := tls.LoadX509KeyPair(certPath, keyPath)
	if err == nil {
		return cert, nil
	}
	if !errors.Is(err, fs.ErrNotExist) {
		return cert, err
	}
	certPEM, keyPEM, err := newSelfSigned(time.Now())
	if err != nil {
		return cert, err
	}
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return cert, err
	}
	if err := os.WriteFile(keyPath, keyPEM, 0o600); err != nil {
		return cert, err
	}
	if err := os.WriteFile(certPath, certPEM, 0o644); err != nil {
		return cert, err
	}
	o.Logger.Warn("serving TLS with a generated self-signed certificate: for development only; clients must trust it explicitly", "cert", certPath)
	return tls.X509KeyPair(certPEM, keyPEM)
}

// newSelfSigned makes a one-year ECDSA P-256 certificate for localhost,
// 127.0.0.1, ::1 and this host's name.
func newSelfSigned(now time.Time) (certPEM, keyPEM []byte, err error) {
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		return nil, nil, err
	}
	serial, err := rand.Int(rand.Reader, new(big.Int).Lsh(big.NewInt(1), 127))
	if err != nil {
		return nil, nil, err
	}
	names := []string{"localhost"}
	if h, err := os.Hostname(); err == nil && h != "" && h != "localhost" {
		names = append(names, h)
	}
	tmpl := &x509.Certificate{
		SerialNumber: serial,
		Subject:      pkix.Name{CommonName: "Capsule development server"},
		NotBefore:    now.Add(-time.Hour),
		NotAfter:     now.AddDate(1, 0, 0),
		KeyUsage:     x509.KeyUsageDigitalSignature,
		ExtKeyUsage:  []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
		DNSNames:     names,
		IPAddresses:  []net.IP{net.IPv4(127, 0, 0, 1), net.IPv6loopback},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		return nil, nil, err
	}
	keyDER, err := x509.MarshalECPrivateKey(key)
	if err != nil {
		return nil, nil, err
	}
	return pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der}),
		pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER}), nil
}

package server

import (
	"crypto/tls"
	"crypto/x509"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// TestSelfSignedTLS starts the server with --tls-self-signed and talks TLS
// 1.3 to it, trusting only the generated certificate; every response has
// HSTS, and a restart reuses the certificate.
func TestSelfSignedTLS(t *testing.T) {
	dir := t.TempDir()
	s := startWith(t, Options{DataDir: dir, TLSSelfSigned: true}, nil)
	certPEM, err := os.ReadFile(filepath.Join(dir, "tls", selfSignedCert))
	if err != nil {
		t.Fatal(err)
	}
	fi, err := os.Stat(filepath.Join(dir, "tls", selfSignedKey))
	if err != nil || fi.Mode().Perm() != 0o600 {
		t.Fatalf("key file: %v %v", fi, err)
	}
	pool := x509.NewCertPool()
	if !pool.AppendCertsFromPEM(certPEM) {
		t.Fatal("certificate does not parse")
	}
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MinVersion: tls.VersionTLS12}}}
	resp, err := c.Get("https://" + s.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.TLS.Version != tls.VersionTLS13 || !strings.HasPrefix(resp.Header.Get("Strict-Transport-Security"), "max-age=") {
		t.Fatalf("TLS version %x, HSTS %q", resp.TLS.Version, resp.Header.Get("Strict-Transport-Security"))
	}
	// A TLS 1.2-only client is refused.
	old := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool, MaxVersion: tls.VersionTLS12}}}
	if resp, err := old.Get("https://" + s.addr + "/healthz"); err == nil {
		resp.Body.Close()
		t.Fatal("TLS 1.2 accepted")
	}
}

func TestTLSOptionsValidated(t *testing.T) {
	for _, o := range []Options{{TLSCert: "a.pem"}, {TLSKey: "k.pem"}, {TLSCert: "a", TLSKey: "b", TLSSelfSigned: true}} {
		if err := o.validateTLS(); err == nil {
			t.Errorf("%+v accepted", o)
		}
	}
	if err := (&Options{TLSCert: "a", TLSKey: "b"}).validateTLS(); err != nil {
		t.Error(err)
	}
}

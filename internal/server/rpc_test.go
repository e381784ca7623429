package server

import (
	"context"
	"crypto/tls"
	"crypto/x509"
	"encoding/json"
	"errors"
	"net/http"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"

	"connectrpc.com/connect"

	promotionsv1 "github.com/usecapsule/capsule/internal/gen/capsule/promotions/v1"
	"github.com/usecapsule/capsule/internal/gen/capsule/promotions/v1/promotionsv1connect"
)

// getUnknownPromotion calls PromotionService.Get over gRPC for a promotion
// that does not exist: reaching the guard and the handler answers
// not_found, whatever failed on the way (no HTTP/2) answers something else.
func getUnknownPromotion(t *testing.T, c *http.Client, base, token string) {
	t.Helper()
	client := promotionsv1connect.NewPromotionServiceClient(c, base, connect.WithGRPC())
	req := connect.NewRequest(&promotionsv1.GetRequest{Id: "0190d0a0-0000-7000-8000-000000000000"})
	req.Header().Set("Authorization", "Bearer "+token)
	_, err := client.Get(context.Background(), req)
	var ce *connect.Error
	if !errors.As(err, &ce) || ce.Code() != connect.CodeNotFound || ce.Meta().Get("Capsule-Error-Code") != "PROMOTION_NOT_FOUND" {
		t.Fatalf("gRPC Get of an unknown promotion: %v", err)
	}
}

// ownerPassword reads the first start's generated password.
func ownerPassword(t *testing.T, s *started) string {
	t.Helper()
	m := regexp.MustCompile(`generated password \(shown only once\): (\S+)`).FindStringSubmatch(s.stderr.String())
	if m == nil {
		t.Fatalf("no generated password on stderr: %q", s.stderr.String())
	}
	return m[1]
}

// TestServerServesGRPCOverH2C: on plain HTTP the server speaks HTTP/2 with
// prior knowledge, so a gRPC client reaches the promotion service.
func TestServerServesGRPCOverH2C(t *testing.T) {
	s := start(t, t.TempDir(), nil)
	token := login(t, s.addr, "owner@example.com", ownerPassword(t, s))
	var p http.Protocols
	p.SetUnencryptedHTTP2(true) // HTTP/2 only: no fallback to HTTP/1.1
	getUnknownPromotion(t, &http.Client{Transport: &http.Transport{Protocols: &p}}, "http://"+s.addr, token)
}

// TestServerServesGRPCOverTLS: with TLS on, ALPN negotiates HTTP/2, and the
// promotion service answers gRPC over it.
func TestServerServesGRPCOverTLS(t *testing.T) {
	dir := t.TempDir()
	s := startWith(t, Options{DataDir: dir, TLSSelfSigned: true}, nil)
	certPEM, err := os.ReadFile(filepath.Join(dir, "tls", selfSignedCert))
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AppendCertsFromPEM(certPEM)
	c := &http.Client{Transport: &http.Transport{TLSClientConfig: &tls.Config{RootCAs: pool}, ForceAttemptHTTP2: true}}
	resp, err := c.Get("https://" + s.addr + "/healthz")
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.ProtoMajor != 2 {
		t.Fatalf("TLS answered over %s, want HTTP/2", resp.Proto)
	}
	body := `{"email":"owner@example.com","password":"` + ownerPassword(t, s) + `"}`
	resp, err = c.Post("https://"+s.addr+"/api/v1/auth/login", "application/json", stringsReader(body))
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	var tr struct {
		AccessToken string `json:"access_token"`
	}
	if err := jsonDecode(resp, &tr); err != nil || tr.AccessToken == "" {
		t.Fatalf("login over TLS: %d %v", resp.StatusCode, err)
	}
	getUnknownPromotion(t, c, "https://"+s.addr, tr.AccessToken)
}

func stringsReader(s string) *strings.Reader { return strings.NewReader(s) }

func jsonDecode(resp *http.Response, v any) error { return json.NewDecoder(resp.Body).Decode(v) }

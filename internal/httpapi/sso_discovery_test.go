package httpapi

import (
	"context"
	"encoding/json"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/usecapsule/capsule/internal/egress"
)

// TestProviderKeysThroughGuard: a discovery document on an allowed
// address cannot send the key set fetch (or the token exchange) to a
// refused one: the provider keeps using the guarded client. 127.0.0.2
// reaches the same server on Linux, so only the guard stops it.
func TestProviderKeysThroughGuard(t *testing.T) {
	var port string
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		other := "http://127.0.0.2:" + port
		if r.URL.Path == "/.well-known/openid-configuration" {
			json.NewEncoder(w).Encode(map[string]any{"issuer": "http://" + r.Host, "authorization_endpoint": other + "/authorize",
				"token_endpoint": other + "/token", "jwks_uri": other + "/jwks", "id_token_signing_alg_values_supported": []string{"RS256", "none"}})
			return
		}
		w.Write([]byte(`{"keys":[]}`))
	}))
	defer srv.Close()
	_, port, _ = net.SplitHostPort(srv.Listener.Addr().String())
	allow, _ := egress.ParseAllow("127.0.0.1")
	client := egress.New(egress.Options{Allow: allow})
	p, err := discover(context.Background(), client, srv.URL)
	if err != nil {
		t.Fatal(err)
	}
	// A JWT-shaped token with a key id the (empty) key set lacks makes the
	// verifier fetch the keys.
	raw := "eyJhbGciOiJSUzI1NiIsImtpZCI6ImsxIn0.eyJpc3MiOiJ4In0.c2ln"
	_, err = p.Verifier(&oidc.Config{ClientID: "c", SkipIssuerCheck: true, SkipExpiryCheck: true}).Verify(context.Background(), raw)
	if err == nil || !strings.Contains(err.Error(), "egress: refusing http://127.0.0.2:"+port+"/jwks") {
		t.Fatalf("key set fetch: %v", err)
	}
	if _, err := discover(context.Background(), egress.New(egress.Options{}), srv.URL); err == nil || !strings.Contains(err.Error(), "loopback") {
		t.Fatalf("discovery without the allow-list: %v", err)
	}
}

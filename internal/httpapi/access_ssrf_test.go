package httpapi_test

import (
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"

	"github.com/usecapsule/capsule/internal/egress"
	"github.com/usecapsule/capsule/internal/httpapi"
	"github.com/usecapsule/capsule/internal/rbac"
)

// withEgressAllow lets the API's outbound requests reach the given
// networks (the test identity providers listen on 127.0.0.1).
func withEgressAllow(t testing.TB, cidrs string) func(*httpapi.Config) {
	t.Helper()
	allow, err := egress.ParseAllow(cidrs)
	if err != nil {
		t.Fatal(err)
	}
	return func(c *httpapi.Config) { c.Egress = egress.New(egress.Options{Allow: allow}) }
}

const remoteMarker = "INTERNAL-ONLY-7c1e9d"

// internalService is something on the server's own network that a tenant
// must not be able to read through the SSO issuer setting.
func internalService(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.WriteHeader(http.StatusNotFound)
		io.WriteString(w, remoteMarker)
	}))
	t.Cleanup(srv.Close)
	return srv.URL
}

func closedPort(t *testing.T) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	u := "http://" + ln.Addr().String()
	ln.Close()
	return u
}

// ssoMessage sets the organization's issuer and returns the 400's message
// with issuer replaced by ISSUER, so that answers for two issuers compare.
func ssoMessage(t *testing.T, tm *team, issuer string) string {
	t.Helper()
	status, body := send(t, tm.e, "PUT", "/api/v1/organizations/"+tm.e.orgID+"/sso", bearer(tm.tokens[rbac.Owner]),
		map[string]string{"issuer": issuer, "clientId": "capsule", "clientSecret": "s"})
	if status != http.StatusBadRequest {
		t.Fatalf("issuer %s: %d %s", issuer, status, body)
	}
	if strings.Contains(string(body), remoteMarker) {
		t.Fatalf("issuer %s: the remote body is echoed: %s", issuer, body)
	}
	return strings.ReplaceAll(string(body), issuer, "ISSUER")
}

// TestSSOIssuerOnLoopbackRefused: an organization owner (anyone can become
// one) points the issuer at the server's own network. The answer names the
// URL and why, carries nothing the address served, and is the same for an
// open and a closed port.
func TestSSOIssuerOnLoopbackRefused(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t))
	open, closed := internalService(t), closedPort(t)
	got := ssoMessage(t, tm, open)
	for _, want := range []string{"ISSUER/.well-known/openid-configuration", "loopback", "--egress-allow"} {
		if !strings.Contains(got, want) {
			t.Errorf("message %s lacks %q", got, want)
		}
	}
	if other := ssoMessage(t, tm, closed); other != got {
		t.Fatalf("open and closed ports answer differently:\n%s\n%s", got, other)
	}
	for _, issuer := range []string{"http://169.254.169.254/latest", "http://[::1]:1/", "http://10.0.0.1/"} {
		if m := ssoMessage(t, tm, issuer); !strings.Contains(m, "egress: refusing") {
			t.Errorf("%s: %s", issuer, m)
		}
	}
}

// TestSSOIssuerErrorsHideTheRemoteBody: even where the installation allows
// the address, a failed discovery says what failed, not what was served.
func TestSSOIssuerErrorsHideTheRemoteBody(t *testing.T) {
	tm := newTeam(t, sqliteDSN(t), withEgressAllow(t, "127.0.0.0/8"))
	if m := ssoMessage(t, tm, internalService(t)); !strings.Contains(m, "answered HTTP 404") {
		t.Fatalf("message: %s", m)
	}
}

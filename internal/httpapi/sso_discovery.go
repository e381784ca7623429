package httpapi

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"

	"github.com/coreos/go-oidc/v3/oidc"

	"github.com/usecapsule/capsule/internal/egress"
)

// discover fetches issuer's OpenID discovery document through the guarded
// client and builds the provider on it (its key set is fetched through the
// same client). Discovery is done here rather than by oidc.NewProvider so
// that no error carries what the remote server answered: an issuer is set
// by an organization's owner, and echoing the answer of an arbitrary URL
// would turn the server into a reader of whatever it can reach.
func discover(ctx context.Context, client *http.Client, issuer string) (*oidc.Provider, error) {
	wellKnown := strings.TrimSuffix(issuer, "/") + "/.well-known/openid-configuration"
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, wellKnown, nil)
	if err != nil {
		return nil, fmt.Errorf("%s is not a valid URL", wellKnown)
	}
	req.Header.Set("Accept", "application/json")
	resp, err := client.Do(req)
	if err != nil {
		return nil, outboundError(wellKnown, err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("%s answered HTTP %d, not a discovery document", wellKnown, resp.StatusCode)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		return nil, outboundError(wellKnown, err)
	}
	var pc oidc.ProviderConfig
	if err := json.Unmarshal(body, &pc); err != nil {
		return nil, fmt.Errorf("%s did not answer a JSON discovery document", wellKnown)
	}
	// ID tokens are checked against the issuer, so it must match exactly
	// (a trailing slash matters).
	if pc.IssuerURL != issuer {
		return nil, fmt.Errorf("%s names a different issuer than %s", wellKnown, issuer)
	}
	if pc.AuthURL == "" || pc.TokenURL == "" || pc.JWKSURL == "" {
		return nil, fmt.Errorf("%s lacks authorization_endpoint, token_endpoint or jwks_uri", wellKnown)
	}
	pc.Algorithms = supportedAlgorithms(pc.Algorithms)
	return pc.NewProvider(oidc.ClientContext(context.WithoutCancel(ctx), client)), nil
}

// outboundError keeps the guarded client's own explanation (the URL and
// why) and hides anything else.
func outboundError(u string, err error) error {
	if e, ok := egress.AsError(err); ok {
		return e
	}
	return fmt.Errorf("%s: the request failed", u)
}

// supportedAlgorithms keeps the signing algorithms go-oidc can verify; an
// empty list lets the verifier use its defaults.
func supportedAlgorithms(algs []string) []string {
	known := map[string]bool{oidc.RS256: true, oidc.RS384: true, oidc.RS512: true, oidc.ES256: true, oidc.ES384: true,
		oidc.ES512: true, oidc.PS256: true, oidc.PS384: true, oidc.PS512: true, oidc.EdDSA: true}
	var out []string
	for _, a := range algs {
		if known[a] {
			out = append(out, a)
		}
	}
	return out
}

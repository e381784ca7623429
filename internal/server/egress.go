package server

import (
	"fmt"
	"net/http"
	"net/netip"

	"github.com/usecapsule/capsule/internal/egress"
)

// Outbound requests (OpenID discovery and key sets, the LLM endpoint) all
// go through one guarded client that refuses non-public addresses. An
// on-premises identity provider or a local LLM needs its network on
// --egress-allow ($CAPSULE_EGRESS_ALLOW), e.g. 10.20.0.0/16,127.0.0.1.
// The same list lets a cluster's API server be on a loopback or other
// non-public address (private ranges need no entry; see internal/kube).

func (o *Options) validateEgress() error {
	if _, err := egress.ParseAllow(o.EgressAllow); err != nil {
		return fmt.Errorf("--egress-allow: %w", err)
	}
	return nil
}

// egressClient is the server's one guarded client; Validate has checked
// the allow-list.
func (o *Options) egressClient() *http.Client {
	allow, _ := egress.ParseAllow(o.EgressAllow)
	if len(allow) > 0 {
		o.Logger.Info("outbound requests may reach these non-public networks", "egressAllow", o.EgressAllow)
	}
	return egress.New(egress.Options{Allow: allow})
}

// egressAllow is the parsed --egress-allow list; Validate has checked it.
func (o *Options) egressAllow() []netip.Prefix {
	allow, _ := egress.ParseAllow(o.EgressAllow)
	return allow
}

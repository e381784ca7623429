package kube

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"net/url"
	"strings"
	"syscall"
	"time"

	"github.com/usecapsule/capsule/internal/egress"
	"k8s.io/client-go/rest"
)

// DialTimeout bounds connecting to a cluster's server (client-go bounds
// the TLS handshake at 10 s itself).
const DialTimeout = 10 * time.Second

// refusal returns why ip may not be dialed as a cluster's server, or "".
// See the package comment for the policy and why private ranges pass.
func refusal(ip netip.Addr, allow []netip.Prefix) string {
	ip = ip.WithZone("").Unmap()
	why := egress.Classify(ip)
	switch {
	case why == "":
		return ""
	case strings.HasPrefix(why, "a cloud metadata service"), strings.HasPrefix(why, "link-local"):
		return fmt.Sprintf("address %s is %s, never a cluster's server", ip, why)
	case strings.HasPrefix(why, "private"), strings.HasPrefix(why, "shared address space"), strings.HasPrefix(why, "unique-local"):
		return ""
	}
	for _, p := range allow {
		if p.Contains(ip) {
			return ""
		}
	}
	return fmt.Sprintf("address %s is %s (allow it with --egress-allow)", ip, why)
}

// refusedError is the dialer's refusal; describe names it as the reason.
type refusedError struct{ why string }

func (e *refusedError) Error() string { return e.why }

// guard makes rc dial only addresses the policy allows, never through a
// proxy, with bounded dialing and handshakes, and identify as Capsule.
func guard(rc *rest.Config, allow []netip.Prefix) {
	allow = append([]netip.Prefix(nil), allow...)
	d := &net.Dialer{Timeout: DialTimeout, KeepAlive: 30 * time.Second,
		Control: func(_, address string, _ syscall.RawConn) error {
			ap, err := netip.ParseAddrPort(address)
			if err != nil {
				return &refusedError{why: "cannot parse the dialed address " + address}
			}
			if why := refusal(ap.Addr(), allow); why != "" {
				return &refusedError{why: why}
			}
			return nil
		}}
	rc.Dial = func(ctx context.Context, network, address string) (net.Conn, error) {
		return d.DialContext(ctx, network, address)
	}
	rc.Proxy = func(*http.Request) (*url.URL, error) { return nil, nil }
	rc.UserAgent = "capsule"
	rc.Timeout = 0
	// Deploys send objects in bursts; the API server's own priority and
	// fairness protects it better than a client-side limit of 5/s.
	rc.QPS, rc.Burst = 50, 100
}

package agent

import (
	"fmt"
	"net/http"

	"k8s.io/client-go/rest"
)

// ReadOnlyConfig returns a copy of cfg whose every request passes through a
// transport that refuses anything but GET (list and watch are GETs) before
// it leaves the process: the agent cannot write to the cluster even if its
// RBAC would let it, or a bug tried to.
func ReadOnlyConfig(cfg *rest.Config) *rest.Config {
	c := rest.CopyConfig(cfg)
	inner := c.WrapTransport
	c.WrapTransport = func(rt http.RoundTripper) http.RoundTripper {
		if inner != nil {
			rt = inner(rt)
		}
		return readOnlyTransport{next: rt}
	}
	return c
}

// ErrWriteRefused is wrapped by the error a refused request returns.
var ErrWriteRefused = fmt.Errorf("the capsule agent is read-only")

type readOnlyTransport struct{ next http.RoundTripper }

func (t readOnlyTransport) RoundTrip(req *http.Request) (*http.Response, error) {
	if req.Method != http.MethodGet {
		if req.Body != nil {
			req.Body.Close()
		}
		return nil, fmt.Errorf("%w: refused %s %s before sending it", ErrWriteRefused, req.Method, req.URL.Redacted())
	}
	return t.next.RoundTrip(req)
}

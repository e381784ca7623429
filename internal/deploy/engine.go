package deploy

import (
	"fmt"
	"net/http"
	"net/url"
	"time"

	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// FieldManager is the server-side apply field manager of every write.
const FieldManager = "capsule"

// Options configure an Engine.
type Options struct {
	// PrometheusURL is the Prometheus server canary analysis queries
	// (its /api/v1/query); empty means analysis checks pod health only.
	PrometheusURL string
	// HTTPClient sends the Prometheus queries; it should be the guarded
	// egress client. Required when PrometheusURL is set.
	HTTPClient *http.Client
	// Now is the clock (tests); nil means time.Now.
	Now func() time.Time
}

// Engine deploys services to one cluster. It is safe for concurrent use;
// deploys of the same service must be serialized by the caller.
type Engine struct {
	dyn    dynamic.Interface
	mapper *mapper
	opts   Options
}

// New returns an engine for the cluster cfg reaches. It reads nothing from
// the cluster until the first call.
func New(cfg *rest.Config, o Options) (*Engine, error) {
	if cfg == nil {
		return nil, fmt.Errorf("deploy: no cluster configuration")
	}
	if o.PrometheusURL != "" {
		u, err := url.Parse(o.PrometheusURL)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
			return nil, fmt.Errorf("deploy: Prometheus URL %q: want http(s)://host[:port][/path]", o.PrometheusURL)
		}
		if o.HTTPClient == nil {
			return nil, fmt.Errorf("deploy: a Prometheus URL needs an HTTP client")
		}
	}
	if o.Now == nil {
		o.Now = time.Now
	}
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("deploy: dynamic client: %w", err)
	}
	m, err := newMapper(cfg)
	if err != nil {
		return nil, fmt.Errorf("deploy: discovery: %w", err)
	}
	return &Engine{dyn: dyn, mapper: m, opts: o}, nil
}

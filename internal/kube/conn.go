package kube

import (
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// Conn is a connection to one cluster: what the deploy engine and the
// agent act through.
type Conn struct {
	RESTConfig *rest.Config
	Dynamic    dynamic.Interface
	Discovery  *Discovery
	// Mapper maps kinds to resources from discovery, read on first use and
	// again when a kind is not found (a CRD installed since).
	Mapper *Mapper
}

// Connect builds the clients of cfg's cluster; it does not contact the
// cluster (Check does).
func Connect(cfg *rest.Config) (*Conn, error) {
	dyn, err := dynamic.NewForConfig(cfg)
	if err != nil {
		return nil, err
	}
	d, err := NewDiscovery(cfg)
	if err != nil {
		return nil, err
	}
	return &Conn{RESTConfig: cfg, Dynamic: dyn, Discovery: d, Mapper: NewMapper(d)}, nil
}

package deploy

import (
	"context"
	"fmt"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/usecapsule/capsule/internal/kube"
)

// mapper finds which resource serves a kind, and whether it is
// namespaced, from the API server's discovery document of the kind's
// group-version (kube.Discovery.Resources), fetched once and cached.
// client-go's discovery client and RESTMapper would do the same, but they
// link the typed clientset's scheme (every built-in API group registered
// at start-up), which every capsule command would pay for.
type mapper struct {
	discovery *kube.Discovery
	mu        sync.Mutex
	cache     map[schema.GroupVersion][]metav1.APIResource
}

// mapping is where a kind is served.
type mapping struct {
	resource   schema.GroupVersionResource
	namespaced bool
}

func newMapper(cfg *rest.Config) (*mapper, error) {
	d, err := kube.NewDiscovery(cfg)
	if err != nil {
		return nil, err
	}
	return &mapper{discovery: d, cache: map[schema.GroupVersion][]metav1.APIResource{}}, nil
}

// find returns the mapping of gvk. A kind missing from a cached document
// sends for a fresh one (a CRD installed since).
func (m *mapper) find(ctx context.Context, gvk schema.GroupVersionKind) (mapping, error) {
	gv := gvk.GroupVersion()
	for fresh := false; ; fresh = true {
		list, err := m.resources(ctx, gv, fresh)
		if err != nil {
			return mapping{}, err
		}
		for _, r := range list {
			if r.Kind == gvk.Kind && !strings.Contains(r.Name, "/") {
				return mapping{resource: gv.WithResource(r.Name), namespaced: r.Namespaced}, nil
			}
		}
		if fresh {
			return mapping{}, fmt.Errorf("the cluster serves %s but no kind %s in it", gv, gvk.Kind)
		}
	}
}

func (m *mapper) resources(ctx context.Context, gv schema.GroupVersion, fresh bool) ([]metav1.APIResource, error) {
	m.mu.Lock()
	list, ok := m.cache[gv]
	m.mu.Unlock()
	if ok && !fresh {
		return list, nil
	}
	rl, found, err := m.discovery.Resources(ctx, gv)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", gv, err)
	}
	if !found {
		return nil, fmt.Errorf("the cluster does not serve %s", gv)
	}
	m.mu.Lock()
	m.cache[gv] = rl.APIResources
	m.mu.Unlock()
	return rl.APIResources, nil
}

package deploy

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"sync"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"
)

// mapper finds which resource serves a kind, and whether it is
// namespaced, from the API server's discovery document of the kind's
// group-version, fetched once and cached. client-go's discovery client
// and RESTMapper would do the same, but they link the typed clientset's
// scheme (every built-in API group registered at start-up), which every
// capsule command would pay for; reading one small JSON document needs
// none of it.
type mapper struct {
	client *http.Client
	base   string
	mu     sync.Mutex
	cache  map[schema.GroupVersion][]metav1.APIResource
}

// mapping is where a kind is served.
type mapping struct {
	resource   schema.GroupVersionResource
	namespaced bool
}

func newMapper(cfg *rest.Config) (*mapper, error) {
	client, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	u, _, err := rest.DefaultServerUrlFor(cfg)
	if err != nil {
		return nil, err
	}
	return &mapper{client: client, base: strings.TrimRight(u.String(), "/"), cache: map[schema.GroupVersion][]metav1.APIResource{}}, nil
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
	path := "/apis/" + gv.String()
	if gv.Group == "" {
		path = "/api/" + gv.Version
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, m.base+path, nil)
	if err != nil {
		return nil, err
	}
	req.Header.Set("Accept", "application/json")
	resp, err := m.client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", gv, err)
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 8<<20))
	if err != nil {
		return nil, fmt.Errorf("discover %s: %w", gv, err)
	}
	switch {
	case resp.StatusCode == http.StatusNotFound:
		return nil, fmt.Errorf("the cluster does not serve %s", gv)
	case resp.StatusCode != http.StatusOK:
		return nil, fmt.Errorf("discover %s: the API server answered HTTP %d", gv, resp.StatusCode)
	}
	var rl metav1.APIResourceList
	if err := json.Unmarshal(body, &rl); err != nil {
		return nil, fmt.Errorf("discover %s: %w", gv, err)
	}
	m.mu.Lock()
	m.cache[gv] = rl.APIResources
	m.mu.Unlock()
	return rl.APIResources, nil
}

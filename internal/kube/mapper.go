package kube

import (
	"context"
	"strings"
	"sync"
	"time"

	"k8s.io/apimachinery/pkg/api/meta"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// mapperTimeout bounds reading discovery for the mapper, whose methods
// take no context.
const mapperTimeout = 30 * time.Second

// Mapper is a meta.RESTMapper over a cluster's discovery. It reads
// discovery on first use, and once more when asked for a kind or resource
// it does not know, so a CRD installed after the first read is found.
type Mapper struct {
	d  *Discovery
	mu sync.Mutex
	m  meta.RESTMapper
}

var _ meta.RESTMapper = (*Mapper)(nil)

// NewMapper returns a mapper over d.
func NewMapper(d *Discovery) *Mapper { return &Mapper{d: d} }

// Reset forgets what discovery said, so the next call reads it again.
func (m *Mapper) Reset() {
	m.mu.Lock()
	m.m = nil
	m.mu.Unlock()
}

func (m *Mapper) current() (meta.RESTMapper, error) {
	m.mu.Lock()
	defer m.mu.Unlock()
	if m.m != nil {
		return m.m, nil
	}
	ctx, cancel := context.WithTimeout(context.Background(), mapperTimeout)
	defer cancel()
	lists, err := m.d.ServerResources(ctx)
	if err != nil {
		return nil, err
	}
	var gvs []schema.GroupVersion
	for _, l := range lists {
		gv, err := schema.ParseGroupVersion(l.GroupVersion)
		if err != nil {
			return nil, err
		}
		gvs = append(gvs, gv)
	}
	dm := meta.NewDefaultRESTMapper(gvs)
	for i, l := range lists {
		for _, r := range l.APIResources {
			if strings.Contains(r.Name, "/") {
				continue // a subresource
			}
			scope := meta.RESTScopeRoot
			if r.Namespaced {
				scope = meta.RESTScopeNamespace
			}
			singular := r.SingularName
			if singular == "" {
				singular = strings.ToLower(r.Kind)
			}
			gv := gvs[i]
			dm.AddSpecific(gv.WithKind(r.Kind), gv.WithResource(r.Name), gv.WithResource(singular), scope)
		}
	}
	m.m = dm
	return dm, nil
}

// retry runs f on the current mapping and, when it matched nothing, once
// more on a fresh read of discovery.
func retry[T any](m *Mapper, f func(meta.RESTMapper) (T, error)) (T, error) {
	mm, err := m.current()
	if err != nil {
		var zero T
		return zero, err
	}
	out, err := f(mm)
	if err != nil && meta.IsNoMatchError(err) {
		m.Reset()
		if mm, err2 := m.current(); err2 == nil {
			return f(mm)
		}
	}
	return out, err
}

// KindFor implements meta.RESTMapper.
func (m *Mapper) KindFor(r schema.GroupVersionResource) (schema.GroupVersionKind, error) {
	return retry(m, func(mm meta.RESTMapper) (schema.GroupVersionKind, error) { return mm.KindFor(r) })
}

// KindsFor implements meta.RESTMapper.
func (m *Mapper) KindsFor(r schema.GroupVersionResource) ([]schema.GroupVersionKind, error) {
	return retry(m, func(mm meta.RESTMapper) ([]schema.GroupVersionKind, error) { return mm.KindsFor(r) })
}

// ResourceFor implements meta.RESTMapper.
func (m *Mapper) ResourceFor(r schema.GroupVersionResource) (schema.GroupVersionResource, error) {
	return retry(m, func(mm meta.RESTMapper) (schema.GroupVersionResource, error) { return mm.ResourceFor(r) })
}

// ResourcesFor implements meta.RESTMapper.
func (m *Mapper) ResourcesFor(r schema.GroupVersionResource) ([]schema.GroupVersionResource, error) {
	return retry(m, func(mm meta.RESTMapper) ([]schema.GroupVersionResource, error) { return mm.ResourcesFor(r) })
}

// RESTMapping implements meta.RESTMapper.
func (m *Mapper) RESTMapping(gk schema.GroupKind, versions ...string) (*meta.RESTMapping, error) {
	return retry(m, func(mm meta.RESTMapper) (*meta.RESTMapping, error) { return mm.RESTMapping(gk, versions...) })
}

// RESTMappings implements meta.RESTMapper.
func (m *Mapper) RESTMappings(gk schema.GroupKind, versions ...string) ([]*meta.RESTMapping, error) {
	return retry(m, func(mm meta.RESTMapper) ([]*meta.RESTMapping, error) { return mm.RESTMappings(gk, versions...) })
}

// ResourceSingularizer implements meta.RESTMapper.
func (m *Mapper) ResourceSingularizer(resource string) (string, error) {
	return retry(m, func(mm meta.RESTMapper) (string, error) { return mm.ResourceSingularizer(resource) })
}

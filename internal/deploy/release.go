package deploy

import (
	"context"
	"encoding/base64"
	"encoding/json"
	"fmt"
	"time"

	apierrors "k8s.io/apimachinery/pkg/api/errors"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
)

// LabelReleaseOf marks a release record; it is not LabelService, so prune
// never takes the record for a leftover of the service.
const LabelReleaseOf = "capsule.dev/release-of"

// release is what the engine keeps in the namespace about the last
// revision that rolled out: enough to roll back to it when the next one
// fails, to scale it, and to find blue-green's live and idle colours. It is
// a Secret, not a ConfigMap, because the objects may include Secrets.
type release struct {
	Revision  int                      `json:"revision"`
	Image     string                   `json:"image,omitempty"`
	Strategy  string                   `json:"strategy"`
	Color     string                   `json:"color,omitempty"`
	IdleColor string                   `json:"idleColor,omitempty"`
	Objects   []map[string]interface{} `json:"objects"`
	// Idle is blue-green's previous colour's release while it is kept,
	// until RetireAfter.
	Idle        *release  `json:"idle,omitempty"`
	RetireAfter time.Time `json:"retireAfter,omitzero"`
}

func releaseName(service string) string { return "capsule-release-" + service }

// maxRelease keeps the record under the API server's object size limit
// (about 1.5 MiB) with room for metadata.
const maxRelease = 1 << 20

func (e *Engine) saveRelease(ctx context.Context, ns, service string, r *release) error {
	b, err := json.Marshal(r)
	if err != nil {
		return fmt.Errorf("deploy: encode the release record of %s: %w", service, err)
	}
	if len(b) > maxRelease {
		return fmt.Errorf("deploy: the release record of %s would be %d bytes, over the %d a Secret can hold", service, len(b), maxRelease)
	}
	s := &unstructured.Unstructured{Object: map[string]any{
		"apiVersion": "v1", "kind": "Secret", "type": "capsule.dev/release",
		"metadata": map[string]any{"name": releaseName(service), "namespace": ns,
			"labels": map[string]any{LabelManagedBy: "capsule", LabelReleaseOf: service}},
		"stringData": map[string]any{"release.json": string(b)},
	}}
	_, err = e.applyOne(ctx, s, true, false)
	return err
}

// loadRelease returns the release record of service, nil when there is
// none.
func (e *Engine) loadRelease(ctx context.Context, ns, service string) (*release, error) {
	s, err := e.dyn.Resource(gvrSecrets).Namespace(ns).Get(ctx, releaseName(service), metav1.GetOptions{})
	if apierrors.IsNotFound(err) {
		return nil, nil
	}
	if err != nil {
		return nil, fmt.Errorf("deploy: read the release record of %s: %w", service, err)
	}
	enc, _, _ := unstructured.NestedString(s.Object, "data", "release.json")
	b, err := base64.StdEncoding.DecodeString(enc)
	if err != nil {
		return nil, fmt.Errorf("deploy: release record of %s: %w", service, err)
	}
	var r release
	if err := json.Unmarshal(b, &r); err != nil {
		return nil, fmt.Errorf("deploy: release record of %s: %w", service, err)
	}
	return &r, nil
}

// request rebuilds the Request that produced the record.
func (r *release) request(ns, service string) *Request {
	objs := make([]*unstructured.Unstructured, len(r.Objects))
	for i, o := range r.Objects {
		objs[i] = &unstructured.Unstructured{Object: o}
	}
	return &Request{Namespace: ns, Service: service, Revision: r.Revision, Image: r.Image, Objects: objs, Strategy: Strategy{Type: r.Strategy}}
}

func objectMaps(objs []*unstructured.Unstructured) []map[string]interface{} {
	out := make([]map[string]interface{}, len(objs))
	for i, o := range objs {
		out[i] = o.Object
	}
	return out
}

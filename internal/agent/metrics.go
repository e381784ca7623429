package agent

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"sort"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"

	"github.com/usecapsule/capsule/internal/agentproto"
)

// usageKinds are the metrics.k8s.io kinds the agent polls when the cluster
// serves them: the API lists but does not watch, so there is no informer.
var usageKinds = []resource{
	{Kind: "NodeMetrics", GVR: schema.GroupVersionResource{Group: "metrics.k8s.io", Version: "v1beta1", Resource: "nodes"}},
	{Kind: "PodMetrics", GVR: schema.GroupVersionResource{Group: "metrics.k8s.io", Version: "v1beta1", Resource: "pods"}},
}

// usagePoller lists resource usage every interval and records what
// changed as deltas. Usage objects have no uid or resourceVersion of
// their own: the uid is "metrics:" and the object's key, the
// resourceVersion a hash of the usage, so an unchanged reading sends
// nothing.
type usagePoller struct {
	dyn      dynamic.Interface
	kinds    []resource
	interval time.Duration

	mu   sync.Mutex
	last map[agentproto.Key]agentproto.Object
}

func newUsagePoller(dyn dynamic.Interface, kinds []resource, interval time.Duration) *usagePoller {
	return &usagePoller{dyn: dyn, kinds: kinds, interval: interval, last: map[agentproto.Key]agentproto.Object{}}
}

// poll reads every usage kind once and records the changes in buf. A kind
// that fails to list is skipped this round (metrics-server restarts are
// common) and keeps its last reading.
func (p *usagePoller) poll(ctx context.Context, buf *buffer) {
	for _, r := range p.kinds {
		l, err := p.dyn.Resource(r.GVR).List(ctx, metav1.ListOptions{})
		if err != nil {
			continue
		}
		seen := map[agentproto.Key]bool{}
		for i := range l.Items {
			o, err := usageObject(r.Kind, &l.Items[i])
			if err != nil {
				continue
			}
			seen[o.Key()] = true
			p.mu.Lock()
			prev, ok := p.last[o.Key()]
			p.last[o.Key()] = o
			p.mu.Unlock()
			if !ok || prev.ResourceVersion != o.ResourceVersion {
				buf.add(agentproto.OpUpsert, o)
			}
		}
		p.mu.Lock()
		var gone []agentproto.Object
		for k, o := range p.last {
			if k.Kind == r.Kind && !seen[k] {
				gone = append(gone, o)
				delete(p.last, k)
			}
		}
		p.mu.Unlock()
		for _, o := range gone {
			buf.add(agentproto.OpDelete, o)
		}
	}
}

func usageObject(kind string, u *unstructured.Unstructured) (agentproto.Object, error) {
	unstructured.RemoveNestedField(u.Object, "metadata", "managedFields")
	// The reading's time and window change every poll; the usage is what
	// the control plane needs to know changed.
	usage, _ := json.Marshal([]any{u.Object["usage"], u.Object["containers"]})
	sum := sha256.Sum256(usage)
	body, err := json.Marshal(u.Object)
	if err != nil {
		return agentproto.Object{}, err
	}
	key := agentproto.Key{Kind: kind, Namespace: u.GetNamespace(), Name: u.GetName()}
	return agentproto.Object{Kind: kind, Namespace: key.Namespace, Name: key.Name, UID: "metrics:" + key.String(),
		ResourceVersion: hex.EncodeToString(sum[:8]), Body: body}, nil
}

// each calls fn with the last reading of every object, in key order.
func (p *usagePoller) each(fn func(agentproto.Object) error) error {
	p.mu.Lock()
	objs := make([]agentproto.Object, 0, len(p.last))
	for _, o := range p.last {
		objs = append(objs, o)
	}
	p.mu.Unlock()
	sort.Slice(objs, func(i, j int) bool { return objs[i].Key().String() < objs[j].Key().String() })
	for _, o := range objs {
		if err := fn(o); err != nil {
			return err
		}
	}
	return nil
}

// run polls until ctx ends.
func (p *usagePoller) run(ctx context.Context, buf *buffer) {
	t := time.NewTicker(p.interval)
	defer t.Stop()
	for {
		p.poll(ctx, buf)
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
	}
}

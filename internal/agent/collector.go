package agent

import (
	"context"
	"encoding/json"
	"fmt"
	"log/slog"
	"sync"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/tools/cache"

	"github.com/usecapsule/capsule/internal/agentproto"
)

// collector runs one informer per watched kind over the dynamic client and
// feeds every change, sanitized, into the buffer.
//
// The informers are built as client-go's dynamicinformer builds them (a
// ListWatch on the dynamic client), without that package: it links every
// typed informer and the typed clientset's scheme, whose registration would
// run at the start of every capsule command.
type collector struct {
	informers map[string]cache.SharedIndexInformer
	kinds     []string
	buf       *buffer
	log       *slog.Logger
	wg        sync.WaitGroup
	usage     *usagePoller // nil when the cluster serves no metrics.k8s.io
}

func newCollector(dyn dynamic.Interface, res []resource, usage *usagePoller, p Privacy, limit, maxBytes int, log *slog.Logger) (*collector, error) {
	c := &collector{
		informers: map[string]cache.SharedIndexInformer{},
		log:       log,
		usage:     usage,
	}
	for _, r := range res {
		c.kinds = append(c.kinds, r.Kind)
	}
	if usage != nil {
		for _, r := range usage.kinds {
			c.kinds = append(c.kinds, r.Kind)
		}
	}
	c.buf = newBuffer(limit, maxBytes, c.kinds)
	for _, r := range res {
		inf := newInformer(dyn, r)
		if err := inf.SetTransform(p.transform(r.Kind)); err != nil {
			return nil, fmt.Errorf("agent: %s informer: %w", r.Kind, err)
		}
		kind := r.Kind
		_, err := inf.AddEventHandler(cache.ResourceEventHandlerFuncs{
			AddFunc: func(obj any) { c.record(kind, agentproto.OpUpsert, obj) },
			UpdateFunc: func(old, obj any) {
				if rv(old) != rv(obj) {
					c.record(kind, agentproto.OpUpsert, obj)
				}
			},
			DeleteFunc: func(obj any) {
				if d, ok := obj.(cache.DeletedFinalStateUnknown); ok {
					obj = d.Obj
				}
				c.record(kind, agentproto.OpDelete, obj)
			},
		})
		if err != nil {
			return nil, fmt.Errorf("agent: %s informer: %w", r.Kind, err)
		}
		c.informers[r.Kind] = inf
	}
	return c, nil
}

func rv(obj any) string {
	if u, ok := obj.(*unstructured.Unstructured); ok {
		return u.GetResourceVersion()
	}
	return ""
}

// record turns an informer event into a buffered delta.
func (c *collector) record(kind, op string, obj any) {
	u, ok := obj.(*unstructured.Unstructured)
	if !ok {
		return
	}
	o, err := toObject(kind, u, op == agentproto.OpUpsert)
	if err != nil {
		c.log.Warn("agent: object not sent", "kind", kind, "namespace", u.GetNamespace(), "name", u.GetName(), "error", err)
		return
	}
	c.buf.add(op, o)
}

// toObject wraps a sanitized object for the wire.
func toObject(kind string, u *unstructured.Unstructured, withBody bool) (agentproto.Object, error) {
	o := agentproto.Object{Kind: kind, Namespace: u.GetNamespace(), Name: u.GetName(),
		UID: string(u.GetUID()), ResourceVersion: u.GetResourceVersion()}
	if withBody {
		body, err := json.Marshal(u.Object)
		if err != nil {
			return o, err
		}
		o.Body = body
	}
	return o, nil
}

// newInformer lists and watches one kind. No periodic resync: watches
// deliver every change, and a relist after a broken watch is the
// informer's own business.
func newInformer(dyn dynamic.Interface, r resource) cache.SharedIndexInformer {
	ri := dyn.Resource(r.GVR)
	lw := &cache.ListWatch{
		ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
			return ri.List(ctx, o)
		},
		WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
			return ri.Watch(ctx, o)
		},
	}
	return cache.NewSharedIndexInformer(lw, &unstructured.Unstructured{}, 0, cache.Indexers{})
}

// start runs the informers and waits until each has listed its kind.
func (c *collector) start(ctx context.Context, timeout time.Duration) error {
	for _, inf := range c.informers {
		c.wg.Add(1)
		go func() { defer c.wg.Done(); inf.RunWithContext(ctx) }()
	}
	wctx, cancel := context.WithTimeout(ctx, timeout)
	defer cancel()
	for kind, inf := range c.informers {
		if !cache.WaitForCacheSync(wctx.Done(), inf.HasSynced) {
			if ctx.Err() != nil {
				return ctx.Err()
			}
			return fmt.Errorf("agent: the %s informer did not list within %s (is list/watch on it allowed?)", kind, timeout)
		}
	}
	if c.usage != nil {
		c.wg.Add(1)
		go func() { defer c.wg.Done(); c.usage.run(ctx, c.buf) }()
	}
	return nil
}

// each calls fn with every object of every informer's store, marshalled
// one at a time so a snapshot never holds the whole cluster twice.
func (c *collector) each(fn func(agentproto.Object) error) error {
	if c.usage != nil {
		if err := c.usage.each(fn); err != nil {
			return err
		}
	}
	for kind, inf := range c.informers {
		for _, obj := range inf.GetStore().List() {
			u, ok := obj.(*unstructured.Unstructured)
			if !ok {
				continue
			}
			o, err := toObject(kind, u, true)
			if err != nil {
				return fmt.Errorf("agent: %s %s/%s: %w", kind, u.GetNamespace(), u.GetName(), err)
			}
			if err := fn(o); err != nil {
				return err
			}
		}
	}
	return nil
}

// shutdown waits for the informers (their context is already cancelled).
func (c *collector) shutdown() { c.wg.Wait() }

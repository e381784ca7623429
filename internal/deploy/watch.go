package deploy

import (
	"context"
	"fmt"
	"sync"

	appsv1 "k8s.io/api/apps/v1"
	batchv1 "k8s.io/api/batch/v1"
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/apimachinery/pkg/watch"
	"k8s.io/client-go/tools/cache"
)

var (
	gvrDeployments  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}
	gvrReplicaSets  = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}
	gvrStatefulSets = schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}
	gvrPods         = schema.GroupVersionResource{Version: "v1", Resource: "pods"}
	gvrEvents       = schema.GroupVersionResource{Version: "v1", Resource: "events"}
	gvrJobs         = schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}
	gvrServices     = schema.GroupVersionResource{Version: "v1", Resource: "services"}
)

// watcher keeps watched copies of a namespace's workloads, ReplicaSets,
// pods, Jobs and events, and signals every change; the rollout is judged
// from these copies, so a change is seen as soon as the API server sends
// it, without polling.
//
// The informers are client-go's tools/cache over the dynamic client, built
// here rather than with dynamicinformer, which links the typed informers
// and clientset of every built-in API group.
type watcher struct {
	cancel    context.CancelFunc
	done      sync.WaitGroup
	informers map[schema.GroupVersionResource]cache.SharedIndexInformer
	changed   chan struct{}
}

func (e *Engine) watch(ctx context.Context, ns string) (*watcher, error) {
	ctx, cancel := context.WithCancel(ctx)
	w := &watcher{cancel: cancel, informers: map[schema.GroupVersionResource]cache.SharedIndexInformer{}, changed: make(chan struct{}, 1)}
	notify := func(any) {
		select {
		case w.changed <- struct{}{}:
		default:
		}
	}
	handler := cache.ResourceEventHandlerFuncs{AddFunc: notify, UpdateFunc: func(_, n any) { notify(n) }, DeleteFunc: notify}
	for _, gvr := range []schema.GroupVersionResource{gvrDeployments, gvrReplicaSets, gvrStatefulSets, gvrPods, gvrEvents, gvrJobs} {
		client := e.dyn.Resource(gvr).Namespace(ns)
		lw := &cache.ListWatch{
			ListWithContextFunc: func(ctx context.Context, o metav1.ListOptions) (runtime.Object, error) {
				return client.List(ctx, o)
			},
			WatchFuncWithContext: func(ctx context.Context, o metav1.ListOptions) (watch.Interface, error) {
				return client.Watch(ctx, o)
			},
		}
		inf := cache.NewSharedIndexInformer(lw, &unstructured.Unstructured{}, 0, cache.Indexers{})
		if _, err := inf.AddEventHandler(handler); err != nil {
			w.stop()
			return nil, fmt.Errorf("deploy: watch %s: %w", gvr.Resource, err)
		}
		w.informers[gvr] = inf
		w.done.Add(1)
		go func() {
			defer w.done.Done()
			inf.RunWithContext(ctx)
		}()
	}
	for gvr, inf := range w.informers {
		if !cache.WaitForCacheSync(ctx.Done(), inf.HasSynced) {
			w.stop()
			if ctx.Err() != nil {
				return nil, ctx.Err()
			}
			return nil, fmt.Errorf("deploy: cannot watch %s in namespace %s", gvr.Resource, ns)
		}
	}
	return w, nil
}

func (w *watcher) stop() {
	w.cancel()
	w.done.Wait()
}

// items converts the watched objects of gvr to T.
func items[T any](w *watcher, gvr schema.GroupVersionResource) []T {
	var out []T
	for _, x := range w.informers[gvr].GetStore().List() {
		u, ok := x.(*unstructured.Unstructured)
		if !ok {
			continue
		}
		var v T
		if runtime.DefaultUnstructuredConverter.FromUnstructured(u.Object, &v) == nil {
			out = append(out, v)
		}
	}
	return out
}

func get[T any](w *watcher, gvr schema.GroupVersionResource, ns, name string) (*T, bool) {
	x, ok, err := w.informers[gvr].GetStore().GetByKey(ns + "/" + name)
	if err != nil || !ok {
		return nil, false
	}
	var v T
	if runtime.DefaultUnstructuredConverter.FromUnstructured(x.(*unstructured.Unstructured).Object, &v) != nil {
		return nil, false
	}
	return &v, true
}

func (w *watcher) deployment(ns, name string) (*appsv1.Deployment, bool) {
	return get[appsv1.Deployment](w, gvrDeployments, ns, name)
}

func (w *watcher) statefulSet(ns, name string) (*appsv1.StatefulSet, bool) {
	return get[appsv1.StatefulSet](w, gvrStatefulSets, ns, name)
}

func (w *watcher) job(ns, name string) (*batchv1.Job, bool) {
	return get[batchv1.Job](w, gvrJobs, ns, name)
}

func (w *watcher) replicaSets() []appsv1.ReplicaSet {
	return items[appsv1.ReplicaSet](w, gvrReplicaSets)
}
func (w *watcher) pods() []corev1.Pod     { return items[corev1.Pod](w, gvrPods) }
func (w *watcher) events() []corev1.Event { return items[corev1.Event](w, gvrEvents) }

var (
	gvrSecrets = schema.GroupVersionResource{Version: "v1", Resource: "secrets"}
	gvrHPAs    = schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}
	gvrPDBs    = schema.GroupVersionResource{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets"}
)

package deploy

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"testing"
	"time"

	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/client-go/kubernetes"

	"github.com/usecapsule/capsule/internal/render"
	"github.com/usecapsule/capsule/internal/servicespec"
	"github.com/usecapsule/capsule/internal/testenv"
	"github.com/usecapsule/capsule/internal/testenv/kubeclient"
)

func TestMain(m *testing.M) { testenv.Main(m) }

// env is one test's namespace on the shared cluster.
type env struct {
	c      *testenv.Cluster
	ns     string
	client kubernetes.Interface
	engine *Engine
}

func newEnv(t *testing.T, o Options) *env {
	t.Helper()
	c := testenv.Shared(t)
	e, err := New(c.Config, o)
	if err != nil {
		t.Fatal(err)
	}
	return &env{c: c, ns: c.Namespace(t), client: kubeclient.For(t, c), engine: e}
}

// rendered renders a service from capsule.yaml text with render, as the
// control plane will, and converts the objects for the engine.
func rendered(t testing.TB, ns, yaml string, o render.Options) []*unstructured.Unstructured {
	t.Helper()
	f, err := servicespec.Parse("capsule.yaml", []byte(yaml))
	if err != nil {
		t.Fatal(err)
	}
	s, err := f.Resolve("")
	if err != nil {
		t.Fatal(err)
	}
	o.Namespace = ns
	objs, err := render.Render(s, o)
	if err != nil {
		t.Fatal(err)
	}
	out, err := FromRendered(objs)
	if err != nil {
		t.Fatal(err)
	}
	return out
}

// webSpec is a small web service with replicas pods; extra lines join the
// capsule.yaml.
func webSpec(name string, replicas int, extra ...string) string {
	lines := []string{"name: " + name, "type: web", "port: 8080", "health: {path: /healthz}", "resources: {preset: small}",
		fmt.Sprintf("scaling: {minReplicas: %d}", replicas)}
	for _, x := range extra {
		key, _, _ := strings.Cut(x, ":")
		replaced := false
		for i, l := range lines {
			if strings.HasPrefix(l, key+":") {
				lines[i], replaced = x, true
			}
		}
		if !replaced {
			lines = append(lines, x)
		}
	}
	return strings.Join(lines, "\n") + "\n"
}

// simulate makes the pods of every workload in objs behave as b on the
// simulated cluster.
func simulate(t testing.TB, objs []*unstructured.Unstructured, b string) {
	t.Helper()
	for _, o := range objs {
		if k := o.GetKind(); k == "Deployment" || k == "StatefulSet" {
			if err := unstructured.SetNestedField(o.Object, b, "spec", "template", "metadata", "labels", testenv.SimLabel); err != nil {
				t.Fatal(err)
			}
		}
	}
}

// progressLog collects reports.
type progressLog struct {
	mu  sync.Mutex
	all []Progress
}

func (l *progressLog) report(p Progress) {
	l.mu.Lock()
	defer l.mu.Unlock()
	l.all = append(l.all, p)
}

func (l *progressLog) phases() []string {
	l.mu.Lock()
	defer l.mu.Unlock()
	var out []string
	for _, p := range l.all {
		if len(out) == 0 || out[len(out)-1] != p.Phase {
			out = append(out, p.Phase)
		}
	}
	return out
}

func (e *env) deploy(t *testing.T, req Request) (Result, *progressLog) {
	t.Helper()
	req.Namespace = e.ns
	var log progressLog
	ctx, cancel := context.WithTimeout(context.Background(), 3*time.Minute)
	defer cancel()
	res, err := e.engine.Deploy(ctx, req, log.report)
	if err != nil {
		t.Fatalf("deploy %s revision %d: %v (result %+v)", req.Service, req.Revision, err, res)
	}
	return res, &log
}

// podImages lists, through the typed client, the images of the pods that
// select app name, counting Ready ones.
func (e *env) podImages(t *testing.T, selector string) (images map[string]int, ready int) {
	t.Helper()
	pods, err := e.client.CoreV1().Pods(e.ns).List(context.Background(), metav1.ListOptions{LabelSelector: selector})
	if err != nil {
		t.Fatal(err)
	}
	images = map[string]int{}
	for _, p := range pods.Items {
		if p.DeletionTimestamp != nil {
			continue
		}
		images[p.Spec.Containers[0].Image]++
		for _, c := range p.Status.Conditions {
			if c.Type == "Ready" && c.Status == "True" {
				ready++
			}
		}
	}
	return images, ready
}

func wantPhase(t *testing.T, res Result, phase string, contains ...string) {
	t.Helper()
	t.Logf("%s: %s", res.Phase, res.Message)
	if res.Phase != phase {
		t.Fatalf("phase %s, want %s; message: %s", res.Phase, phase, res.Message)
	}
	for _, s := range contains {
		if !strings.Contains(res.Message, s) {
			t.Errorf("message %q does not say %q", res.Message, s)
		}
	}
}

func appliedByCapsuleTyped(fields []metav1.ManagedFieldsEntry) bool {
	for _, f := range fields {
		if f.Manager == FieldManager && f.Operation == metav1.ManagedFieldsOperationApply {
			return true
		}
	}
	return false
}

// renderTyped renders like rendered but keeps render's typed objects.
func renderTyped(ns, yaml string, rev int) ([]render.Object, error) {
	f, err := servicespec.Parse("capsule.yaml", []byte(yaml))
	if err != nil {
		return nil, err
	}
	s, err := f.Resolve("")
	if err != nil {
		return nil, err
	}
	return render.Render(s, render.Options{Namespace: ns, Image: fmt.Sprintf("example/bench:v%d", rev)})
}

package testenv

import (
	"context"
	"fmt"
	"io"
	"os"
	"strings"
	"sync"
	"testing"
	"time"

	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/rand"

	"github.com/usecapsule/capsule/internal/testenv/kubebin"
)

// Option changes how Start and Shared launch a cluster.
type Option func(*Config)

// WithNodes sets the number of fake nodes (default 3).
func WithNodes(n int) Option { return func(c *Config) { c.Nodes = n } }

// WithNodeShape sets every node's capacity and labels.
func WithNodeShape(s NodeShape) Option { return func(c *Config) { c.NodeShape = s } }

// WithPodBehaviour sets how pods that carry no SimLabel behave; a shared
// cluster is better served by labelling the pods that should differ.
func WithPodBehaviour(b PodBehaviour) Option { return func(c *Config) { c.PodBehaviour = b } }

// WithBinaries uses binaries from dir instead of the default cache.
func WithBinaries(dir string) Option {
	return func(c *Config) { c.Binaries = kubebin.Binaries{Dir: dir} }
}

// WithLog sends start-up progress lines to w.
func WithLog(w io.Writer) Option {
	return func(c *Config) { c.Log = w }
}

// Start launches a cluster for this test alone and stops it when the test
// ends. Most packages want Shared instead: one cluster for all their tests.
// Start fails the test (it does not skip) when the binaries are missing.
func Start(t testing.TB, opts ...Option) *Cluster {
	t.Helper()
	c, err := launchForTest(opts)
	if err != nil {
		t.Fatalf("testenv: %v", err)
	}
	t.Cleanup(func() { untrack(c); c.Stop() })
	return c
}

var shared struct {
	once    sync.Once
	cluster *Cluster
	err     error
}

// Shared returns the package's cluster, launching it on first use. Options
// apply only to the first call. The cluster is stopped by Main (use it in
// TestMain) and in any case dies with the test binary.
func Shared(t testing.TB, opts ...Option) *Cluster {
	t.Helper()
	shared.once.Do(func() { shared.cluster, shared.err = launchForTest(opts) })
	if shared.err != nil {
		t.Fatalf("testenv: %v", shared.err)
	}
	return shared.cluster
}

// Main runs the package's tests and then stops the Shared cluster and
// removes its directory:
//
//	func TestMain(m *testing.M) { testenv.Main(m) }
func Main(m *testing.M) {
	code := m.Run()
	if shared.cluster != nil {
		untrack(shared.cluster)
		shared.cluster.Stop()
	}
	os.Exit(code)
}

func launchForTest(opts []Option) (*Cluster, error) {
	var cfg Config
	for _, o := range opts {
		o(&cfg)
	}
	if os.Getenv("CAPSULE_TESTENV_VERBOSE") != "" {
		cfg.Log = os.Stderr
	}
	c, err := Launch(context.Background(), cfg)
	if err != nil {
		return nil, err
	}
	track(c)
	return c, nil
}

// Namespace creates a namespace for this test, waits until its default
// service account exists (pods are rejected before that) and deletes it
// when the test ends.
func (c *Cluster) Namespace(t testing.TB) string {
	t.Helper()
	client, err := newKubeClient(c.Config)
	if err != nil {
		t.Fatalf("testenv: client: %v", err)
	}
	ctx := context.Background()
	ns := &corev1.Namespace{ObjectMeta: metav1.ObjectMeta{Name: namespaceName(t.Name())}}
	if _, err := client.CoreV1().Namespaces().Create(ctx, ns, metav1.CreateOptions{}); err != nil {
		t.Fatalf("testenv: create namespace %s: %v", ns.Name, err)
	}
	t.Cleanup(func() {
		_ = client.CoreV1().Namespaces().Delete(context.Background(), ns.Name, metav1.DeleteOptions{})
	})
	deadline := time.Now().Add(startTimeout)
	for {
		_, err := client.CoreV1().ServiceAccounts(ns.Name).Get(ctx, "default", metav1.GetOptions{})
		if err == nil {
			return ns.Name
		}
		if time.Now().After(deadline) {
			t.Fatalf("testenv: namespace %s has no default service account after %s: %v", ns.Name, startTimeout, err)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// namespaceName turns a test name into a valid, unique namespace name.
func namespaceName(test string) string {
	var b strings.Builder
	for _, r := range strings.ToLower(test) {
		if (r >= 'a' && r <= 'z') || (r >= '0' && r <= '9') {
			b.WriteRune(r)
		} else {
			b.WriteByte('-')
		}
	}
	name := strings.Trim(b.String(), "-")
	if len(name) > 50 {
		name = strings.TrimRight(name[:50], "-")
	}
	if name == "" {
		name = "test"
	}
	return fmt.Sprintf("%s-%s", name, rand.String(5))
}

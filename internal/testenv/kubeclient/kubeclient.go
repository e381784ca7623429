// Package kubeclient gives tests client-go's typed clientset for a testenv
// cluster. It lives apart from testenv because the typed clientset links
// every built-in API group, whose registration runs at the start of every
// capsule command; testenv itself, which `capsule dev cluster` links, uses
// the dynamic client.
package kubeclient

import (
	"testing"

	"github.com/usecapsule/capsule/internal/testenv"
	"k8s.io/client-go/kubernetes"
)

// For returns an admin clientset for c.
func For(t testing.TB, c *testenv.Cluster) kubernetes.Interface {
	t.Helper()
	client, err := kubernetes.NewForConfig(c.Config)
	if err != nil {
		t.Fatal(err)
	}
	return client
}

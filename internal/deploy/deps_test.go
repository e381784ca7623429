package deploy

import (
	"os/exec"
	"strings"
	"testing"
)

// TestNoTypedClientset keeps the engine off client-go's typed clientset,
// informers and discovery client: each links the scheme of every built-in
// API group, whose registration every capsule command would run at start.
func TestNoTypedClientset(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps", ".").CombinedOutput()
	if err != nil {
		t.Fatalf("go list: %v: %s", err, out)
	}
	for _, dep := range strings.Fields(string(out)) {
		for _, banned := range []string{"k8s.io/client-go/kubernetes", "k8s.io/client-go/informers", "k8s.io/client-go/discovery"} {
			if dep == banned || strings.HasPrefix(dep, banned+"/") {
				t.Errorf("internal/deploy depends on %s", dep)
			}
		}
	}
}

package cost

import (
	"testing"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/manifest"
)

// FuzzQuantityPaths feeds arbitrary quantity strings through the paths that
// price them: container requests, storage claims and pricing files. None may
// panic; accepted quantities must give costs within range.
func FuzzQuantityPaths(f *testing.F) {
	for _, s := range []string{"100m", "1", "0.5", "1Gi", "1e3", "-1", "1.5Ei", "9999999999999999999Ti", "1n", "0x10", "", "Mi", "1.0.0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		deploy := map[string]any{"apiVersion": "apps/v1", "kind": "Deployment", "metadata": map[string]any{"name": "d"},
			"spec": map[string]any{"replicas": int64(maxReplicas), "template": map[string]any{"spec": map[string]any{
				"containers": []any{map[string]any{"name": "c", "resources": map[string]any{
					"requests": map[string]any{"cpu": s, "memory": s, "nvidia.com/gpu": s}}}}}}}}
		pvc := map[string]any{"apiVersion": "v1", "kind": "PersistentVolumeClaim", "metadata": map[string]any{"name": "p"},
			"spec": map[string]any{"resources": map[string]any{"requests": map[string]any{"storage": s}}}}
		objs := []manifest.Object{{Unstructured: &unstructured.Unstructured{Object: deploy}}, {Unstructured: &unstructured.Unstructured{Object: pvc}}}
		rep, err := Estimate(objs, nil, DefaultPricing(), Options{})
		if err == nil {
			if rep.Monthly < 0 || rep.Monthly > 2*MaxMonthly || rep.Max < rep.Monthly {
				t.Fatalf("quantity %q: monthly %s, max %s", s, rep.Monthly, rep.Max)
			}
		}
		if p, err := ParsePrice(s); err == nil && p.Rat().Sign() < 0 {
			t.Fatalf("negative price accepted from %q", s)
		}
		_, _ = ParsePricing("fuzz.yaml", []byte("cpu: "+s+"\n"))
	})
}

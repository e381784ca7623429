package deploy

import (
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/render"
)

// Serving rewrites a blue-green service's objects, as render made them,
// in place into what the engine leaves applied once colour live serves:
// the workload (and its autoscaler and disruption budget) named
// <base>-<live> with the slot label live, the Service <service> selecting
// live and <service>-preview the other colour. Objects of other
// strategies are left as they are. Drift reads it to compare a blue-green
// service's kept objects with the cluster.
func Serving(objs []*unstructured.Unstructured, service, live string) {
	wl := findLabelled(objs, "Deployment", render.LabelSlot)
	if wl == nil || live == "" {
		return
	}
	rendered := wl.GetLabels()[render.LabelSlot]
	base := strings.TrimSuffix(wl.GetName(), "-"+rendered)
	recolor(objs, base, rendered, live)
	setSelectors(objs, service, live)
}

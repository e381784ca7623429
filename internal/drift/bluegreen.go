package drift

import (
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/manifest"
	"github.com/usecapsule/capsule/internal/render"
)

// asServed reconciles blue-green services with the colour that serves:
// the kept objects are render's (one colour), while the engine deploys
// each release into the idle colour and switches the Service to it. The
// live Service's slot selector names the serving colour; the desired
// objects of that service are rewritten to it (deploy.Serving), and the
// live objects of the other colour (kept for an instant switch back until
// the engine retires them) are left out of the live side.
func asServed(desired, live []manifest.Object) ([]manifest.Object, []manifest.Object) {
	colours := map[string]string{} // service → serving colour
	for _, o := range live {
		svc := o.GetLabels()[deploy.LabelService]
		if o.GetKind() != "Service" || svc == "" || o.GetName() != svc {
			continue
		}
		if c, _, _ := unstructured.NestedString(o.Object, "spec", "selector", render.LabelSlot); c != "" {
			colours[svc] = c
		}
	}
	if len(colours) == 0 {
		return desired, live
	}
	bySvc := map[string][]*unstructured.Unstructured{}
	want := make([]manifest.Object, len(desired))
	for i, o := range desired {
		want[i] = o
		if svc := o.GetLabels()[deploy.LabelService]; colours[svc] != "" {
			want[i].Unstructured = o.DeepCopy()
			bySvc[svc] = append(bySvc[svc], want[i].Unstructured)
		}
	}
	for svc, objs := range bySvc {
		deploy.Serving(objs, svc, colours[svc])
	}
	got := make([]manifest.Object, 0, len(live))
	for _, o := range live {
		l := o.GetLabels()
		if c := colours[l[deploy.LabelService]]; c != "" && l[render.LabelSlot] != "" && l[render.LabelSlot] != c {
			continue
		}
		got = append(got, o)
	}
	return want, got
}

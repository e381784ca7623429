package promotion

import (
	"context"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	capsule "github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/deploy"
	"github.com/usecapsule/capsule/internal/envstate"
	"github.com/usecapsule/capsule/internal/manifest"
)

// EnvState reads the target's current state through internal/envstate:
// its desired state, what Capsule last applied there (the deployment
// record, or Git once a Git source is wired). The live picture is drift's
// concern: it carries status and scrubbed values that change without any
// promotion, which would make every preview stale before its approval.
type EnvState struct{ Reader *envstate.Reader }

var (
	_ CurrentState = EnvState{}
	_ Decorator    = EnvState{}
)

// Decorate implements Decorator.
func (EnvState) Decorate(proposed, current []manifest.Object, env *capsule.Environment, svc *capsule.Service) {
	asApplied(proposed, current, env.Namespace, svc.Name)
}

// CurrentState implements CurrentState.
func (e EnvState) CurrentState(ctx context.Context, env *capsule.Environment, svc *capsule.Service) ([]manifest.Object, string, error) {
	st, err := e.Reader.Desired(ctx, env, svc)
	if err != nil {
		return nil, "", err
	}
	src := string(st.Source)
	if st.DeploymentID != "" {
		src += " " + st.DeploymentID
	}
	return st.Objects, src, nil
}

// asApplied adds to the proposed objects what the deploy engine writes on
// every object it applies, as envstate's desired state carries it: the
// namespace, the owner labels and the revision annotation (the Namespace
// gets only the managed-by label). The revision is the target's current
// release number: it is the engine's bookkeeping, not a change the
// promotion makes, so an unchanged revision shows no change.
func asApplied(objs []manifest.Object, current []manifest.Object, ns, service string) {
	revision := ""
	for _, c := range current {
		if r, ok := c.GetAnnotations()[deploy.AnnotationRevision]; ok {
			revision = r
			break
		}
	}
	for _, o := range objs {
		labels := o.GetLabels()
		if labels == nil {
			labels = map[string]string{}
		}
		labels[deploy.LabelManagedBy] = "capsule"
		if o.GetKind() == "Namespace" {
			o.SetLabels(labels)
			continue
		}
		o.SetNamespace(ns)
		labels[deploy.LabelService] = service
		o.SetLabels(labels)
		if revision != "" {
			ann := o.GetAnnotations()
			if ann == nil {
				ann = map[string]string{}
			}
			ann[deploy.AnnotationRevision] = revision
			o.SetAnnotations(ann)
		}
	}
}

// currentReplicas is the replica count of the service's workload in the
// current state (after any scale), or 0.
func currentReplicas(current []manifest.Object, service string) int {
	for _, c := range current {
		if k := c.GetKind(); (k == "Deployment" || k == "StatefulSet") && strings.EqualFold(c.GetName(), service) {
			if n, ok, _ := unstructured.NestedInt64(c.Object, "spec", "replicas"); ok && n > 0 {
				return int(n)
			}
		}
	}
	return 0
}

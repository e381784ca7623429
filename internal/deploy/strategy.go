package deploy

import (
	"fmt"
	"strconv"
	"strings"

	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

	"github.com/usecapsule/capsule/internal/render"
)

// renderedStrategy is the strategy objs were rendered for: blue-green
// when a Deployment carries a slot, canary when it carries a track,
// recreate when the workload says so, else rolling.
func renderedStrategy(objs []*unstructured.Unstructured) string {
	for _, o := range objs {
		switch o.GetKind() {
		case "Deployment":
			if o.GetLabels()[render.LabelSlot] != "" {
				return StrategyBlueGreen
			}
			if o.GetLabels()[render.LabelTrack] != "" {
				return StrategyCanary
			}
			if t, _, _ := unstructured.NestedString(o.Object, "spec", "strategy", "type"); t == "Recreate" {
				return StrategyRecreate
			}
		case "StatefulSet":
			if t, _, _ := unstructured.NestedString(o.Object, "spec", "updateStrategy", "type"); t == "OnDelete" {
				return StrategyRecreate
			}
		}
	}
	return StrategyRolling
}

// resolveStrategy settles req.Strategy.Type against the rendering and
// writes the rolling parameters and the progress deadline into the
// Deployments. Blue-green and canary need objects rendered for them (the
// slot and track labels and the Services' selectors come from render);
// rolling and recreate can be switched on the same objects.
func resolveStrategy(req *Request, objs []*unstructured.Unstructured) (string, error) {
	rendered := renderedStrategy(objs)
	want := req.Strategy.Type
	if want == "" {
		want = rendered
	}
	switch want {
	case StrategyRolling, StrategyRecreate:
		if rendered == StrategyBlueGreen || rendered == StrategyCanary {
			return "", fmt.Errorf("deploy: strategy %s, but the objects of %s were rendered for %s; render them with the strategy you deploy with", want, req.Service, rendered)
		}
	case StrategyBlueGreen, StrategyCanary:
		if rendered != want {
			return "", fmt.Errorf("deploy: strategy %s, but the objects of %s were rendered for %s; render them with the strategy you deploy with", want, req.Service, rendered)
		}
	default:
		return "", fmt.Errorf("deploy: unknown strategy %q: want rolling, recreate, blue-green or canary", want)
	}
	for _, v := range []struct{ name, value string }{{"maxSurge", req.Strategy.MaxSurge}, {"maxUnavailable", req.Strategy.MaxUnavailable}} {
		if v.value != "" && !validIntOrPercent(v.value) {
			return "", fmt.Errorf("deploy: %s %q is not a count or a percentage such as 1 or 25%%", v.name, v.value)
		}
	}
	if req.Strategy.MaxSurge == "0" && req.Strategy.MaxUnavailable == "0" {
		return "", fmt.Errorf("deploy: maxSurge and maxUnavailable cannot both be 0: the rollout could never replace a pod")
	}
	deadline := req.ProgressDeadline
	for _, o := range objs {
		if o.GetKind() != "Deployment" {
			continue
		}
		secs := int64((deadline + 999_999_999) / 1_000_000_000)
		if err := unstructured.SetNestedField(o.Object, secs, "spec", "progressDeadlineSeconds"); err != nil {
			return "", err
		}
		if want == StrategyRecreate {
			unstructured.RemoveNestedField(o.Object, "spec", "strategy")
			_ = unstructured.SetNestedField(o.Object, "Recreate", "spec", "strategy", "type")
			continue
		}
		if want == StrategyRolling {
			_ = unstructured.SetNestedField(o.Object, "RollingUpdate", "spec", "strategy", "type")
			setIntOrString(o, req.Strategy.MaxSurge, "maxSurge")
			setIntOrString(o, req.Strategy.MaxUnavailable, "maxUnavailable")
		}
	}
	return want, nil
}

func validIntOrPercent(s string) bool {
	n, err := strconv.Atoi(strings.TrimSuffix(s, "%"))
	return err == nil && n >= 0 && (!strings.HasSuffix(s, "%") || n <= 100)
}

func setIntOrString(o *unstructured.Unstructured, v, field string) {
	if v == "" {
		return
	}
	var val any = v
	if n, err := strconv.Atoi(v); err == nil {
		val = int64(n)
	}
	_ = unstructured.SetNestedField(o.Object, val, "spec", "strategy", "rollingUpdate", field)
}

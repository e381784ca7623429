package risk

import "strings"

// Network rules: Service selectors and NetworkPolicy coverage.

func init() {
	register(
		setRule{Meta{"service-selector-matches-nothing", "selector", 8}, checkServiceSelector},
		setRule{Meta{"workload-selector-mismatch", "selector", 8}, checkWorkloadSelector},
		setRule{Meta{"no-network-policy", "network-policy", 3}, checkNetworkPolicy},
	)
}

// checkServiceSelector flags a Service whose selector matches no pod
// template of the set. Argo Rollouts count as workloads; when the set holds
// a custom resource that may create pods the engine cannot see, nothing is
// claimed, to avoid false "matches no pods" findings.
func checkServiceSelector(m Meta, ctx *Context) []Finding {
	if ctx.Set.podOwners {
		return nil
	}
	var out []Finding
	for _, svc := range ctx.Set.OfKind("Service") {
		if stringAt(svc.Object, "spec", "type") == "ExternalName" {
			continue
		}
		sel := withoutHashLabels(stringMap(mapAt(svc.Object, "spec", "selector")))
		if len(sel) == 0 || selectsAny(ctx.Set, sel, svc.GetNamespace()) {
			continue
		}
		out = append(out, m.finding(Key(svc), "/spec/selector", "%s selects no pods of any workload in the set: it will have no endpoints", Key(svc)))
	}
	return out
}

// hashLabels are put on pods by a controller, never in a template: Argo
// Rollouts pins a live Service's selector to one ReplicaSet with
// rollouts-pod-template-hash, and the Deployment controller labels pods
// with pod-template-hash.
var hashLabels = []string{"rollouts-pod-template-hash", "pod-template-hash"}

// withoutHashLabels returns sel without the hash labels (a copy when it
// has one).
func withoutHashLabels(sel map[string]string) map[string]string {
	for _, l := range hashLabels {
		if _, ok := sel[l]; ok {
			out := make(map[string]string, len(sel))
			for k, v := range sel {
				out[k] = v
			}
			for _, h := range hashLabels {
				delete(out, h)
			}
			return out
		}
	}
	return sel
}

// selectsAny reports whether sel matches the pods of a workload that may
// share namespace ns: a selector reaches pods of its own namespace only.
func selectsAny(s *Set, sel map[string]string, ns string) bool {
	for _, w := range s.Workloads {
		if sameNamespace(ns, w.Obj.GetNamespace()) && subset(sel, w.Labels) {
			return true
		}
	}
	return false
}

// checkWorkloadSelector flags a workload whose selector does not select its
// own pod template, which the API server rejects: matchLabels and
// matchExpressions of a LabelSelector (a CronJob's is in its job
// template), or the plain label map of a ReplicationController or
// DeploymentConfig.
func checkWorkloadSelector(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		if w.Kind == "Pod" || w.TemplatePath == workloadRefPath {
			continue
		}
		path := []string{"spec", "selector"}
		if w.Kind == "CronJob" {
			path = []string{"spec", "jobTemplate", "spec", "selector"}
		}
		ptr := "/" + strings.Join(path, "/")
		var matches bool
		switch w.Kind {
		case "ReplicationController", "DeploymentConfig":
			sel := stringMap(mapAt(w.Obj.Object, path...))
			matches = len(sel) == 0 || subset(sel, w.Labels)
		default:
			sel := parseSelector(mapAt(w.Obj.Object, path...))
			matches = !sel.ok || sel.empty() || sel.matches(w.Labels)
		}
		if !matches {
			out = append(out, m.finding(w.Key, ptr, "%s's selector does not match its own pod template labels: the API server will reject it", w.Key))
		}
	}
	return out
}

func checkNetworkPolicy(m Meta, ctx *Context) []Finding {
	policies := ctx.Set.OfKind("NetworkPolicy")
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		if w.TemplatePath == workloadRefPath {
			continue // its pods are the referenced Deployment's, reported there
		}
		covered := false
		for _, p := range policies {
			if !sameNamespace(p.GetNamespace(), w.Obj.GetNamespace()) {
				continue
			}
			// A selector the engine cannot read is given the benefit of the doubt.
			if sel := parseSelector(mapAt(p.Object, "spec", "podSelector")); !sel.ok || sel.matches(w.Labels) {
				covered = true
				break
			}
		}
		if !covered {
			out = append(out, m.finding(w.Key, w.TemplatePath+"/metadata/labels", "no NetworkPolicy selects the pods of %s: they accept traffic from anywhere", w.Key))
		}
	}
	return out
}

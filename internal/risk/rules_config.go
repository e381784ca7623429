package risk

import "fmt"

// ConfigMap and Secret references that nothing provides.

func init() {
	register(setRule{Meta{"missing-config-reference", "config-reference", 8}, checkConfigRefs})
}

// checkConfigRefs flags non-optional references (env, envFrom, volumes,
// projected volumes) to a ConfigMap or Secret that is neither in the set,
// nor produced by an ExternalSecret or SealedSecret of the set, nor known
// in the target cluster. Without cluster state a missing Secret is 6, not
// 8: Secrets are often created outside Git.
func checkConfigRefs(m Meta, ctx *Context) []Finding {
	provided := providedSecrets(ctx.Set)
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		for _, r := range podRefs(w.Pod) {
			if r.Optional || present(ctx, provided, r, w.Obj.GetNamespace()) {
				continue
			}
			f := m.finding(w.Key, r.Path, "%s references %s %q, which is not in the proposed set%s", w.Key, r.Kind, r.Name, clusterNote(ctx))
			if r.Kind == "Secret" && ctx.Cluster == nil {
				f.Severity = 6
			}
			out = append(out, f)
		}
	}
	return out
}

func clusterNote(ctx *Context) string {
	if ctx.Cluster != nil {
		return " nor in the cluster: pods will not start"
	}
	return ": pods will not start unless it exists in the cluster"
}

func podRefs(p Pod) []Reference {
	var out []Reference
	for _, c := range p.AllContainers() {
		out = append(out, c.EnvFrom...)
		for _, e := range c.Env {
			if e.Ref != nil {
				out = append(out, *e.Ref)
			}
		}
	}
	for _, v := range p.Volumes {
		out = append(out, v.Refs...)
	}
	return out
}

func present(ctx *Context, provided map[string]bool, r Reference, ns string) bool {
	if ctx.Set.Get(r.Kind+"/"+r.Name) != nil || (r.Kind == "Secret" && provided[r.Name]) {
		return true
	}
	if ctx.Cluster == nil {
		return false
	}
	known := ctx.Cluster.ConfigMaps
	if r.Kind == "Secret" {
		known = ctx.Cluster.Secrets
	}
	return known[r.Name] || known[fmt.Sprintf("%s/%s", ns, r.Name)]
}

// providedSecrets names the Secrets that operators in the set will create.
func providedSecrets(s *Set) map[string]bool {
	out := map[string]bool{}
	for _, o := range s.OfKind("ExternalSecret") {
		name := stringAt(o.Object, "spec", "target", "name")
		if name == "" {
			name = o.GetName()
		}
		out[name] = true
	}
	for _, o := range s.OfKind("SealedSecret") {
		out[o.GetName()] = true
		if n := stringAt(o.Object, "spec", "template", "metadata", "name"); n != "" {
			out[n] = true
		}
	}
	return out
}

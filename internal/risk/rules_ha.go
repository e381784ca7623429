package risk

// High availability beyond the replica count: replicas that may all land on
// one node, disruption budgets that let unhealthy pods block drains, and
// rollouts that take every pod down at once.

func init() {
	register(
		setRule{Meta{"replicas-not-spread", "replicas", 3}, checkSpread},
		setRule{Meta{"pdb-unhealthy-eviction-blocked", "pdb", 2}, checkUnhealthyEviction},
		setRule{Meta{"pdb-without-budget", "pdb", 3}, checkPDBBudget},
		podRule{Meta{"invalid-topology-spread", "spec-validity", 8}, checkSpreadConstraints},
		setRule{Meta{"rollout-downtime", "replicas", 4}, checkRolloutDowntime},
	)
}

// checkSpread flags a workload running several replicas with neither a pod
// anti-affinity term that selects its own pods nor a topology spread
// constraint: the scheduler may put every replica on one node, and that
// node's failure is an outage despite the replicas. Low (3): the default
// scheduler already prefers spreading a Service's pods, this only makes it
// certain.
func checkSpread(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		if !w.HasReplicas || effectiveReplicas(ctx.Set, w) < 2 {
			continue
		}
		if spreadSelf(w) || antiAffinitySelf(w) {
			continue
		}
		path := w.TemplatePath + "/spec/affinity"
		if w.TemplatePath == workloadRefPath {
			path = workloadRefPath
		}
		out = append(out, m.finding(w.Key, path, "%s runs %d replicas without pod anti-affinity or topology spread constraints: they may all run on one node", w.Key, effectiveReplicas(ctx.Set, w)))
	}
	return out
}

// spreadSelf reports whether a topology spread constraint counts the
// workload's own pods (one without a labelSelector counts none).
func spreadSelf(w *Workload) bool {
	for _, c := range sliceAt(w.Spec, "topologySpreadConstraints") {
		cm, _ := c.(map[string]any)
		if cm["labelSelector"] == nil || stringAt(cm, "topologyKey") == "" {
			continue
		}
		if sel := parseSelector(mapAt(cm, "labelSelector")); !sel.ok || sel.matches(w.Labels) {
			return true
		}
	}
	return false
}

// antiAffinitySelf reports whether a required or preferred pod
// anti-affinity term selects the workload's own pods (a term that selects
// other pods does not spread these).
func antiAffinitySelf(w *Workload) bool {
	anti := mapAt(w.Spec, "affinity", "podAntiAffinity")
	var terms []map[string]any
	for _, t := range sliceAt(anti, "requiredDuringSchedulingIgnoredDuringExecution") {
		tm, _ := t.(map[string]any)
		terms = append(terms, tm)
	}
	for _, t := range sliceAt(anti, "preferredDuringSchedulingIgnoredDuringExecution") {
		tm, _ := t.(map[string]any)
		terms = append(terms, mapAt(tm, "podAffinityTerm"))
	}
	for _, t := range terms {
		if t == nil || stringAt(t, "topologyKey") == "" {
			continue
		}
		if !termCoversNamespace(t, w.Obj.GetNamespace()) {
			continue
		}
		sel := parseSelector(mapAt(t, "labelSelector"))
		if !sel.ok || (!sel.empty() && sel.matches(w.Labels)) {
			return true // an unknown operator is given the benefit of the doubt
		}
	}
	return false
}

// termCoversNamespace reports whether an affinity term may apply to pods
// of namespace ns: a term listing other namespaces spreads the workload
// away from their pods only. A namespaceSelector cannot be judged here and
// is given the benefit of the doubt, as is an object without a namespace.
func termCoversNamespace(t map[string]any, ns string) bool {
	list := stringList(sliceAt(t, "namespaces"))
	return len(list) == 0 || ns == "" || contains(list, ns) || t["namespaceSelector"] != nil
}

// checkUnhealthyEviction flags a PodDisruptionBudget that does not choose
// its unhealthyPodEvictionPolicy. Under the default
// (IfHealthyBudget) a pod that is running but not ready can be evicted only
// while the budget is met, so a crash-looping replica blocks every node
// drain. Low (2) in general; medium (4) when the budget has no room at all
// (maxUnavailable 0, or minAvailable at or above the replicas it protects),
// where one unready pod is enough to deadlock the drain. An explicit
// IfHealthyBudget is respected: quorum-based stores choose it on purpose.
func checkUnhealthyEviction(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, p := range ctx.Set.OfKind("PodDisruptionBudget") {
		if stringAt(p.Object, "spec", "unhealthyPodEvictionPolicy") != "" {
			continue // an explicit IfHealthyBudget is a deliberate choice (quorum-based apps)
		}
		f := m.finding(Key(p), "/spec/unhealthyPodEvictionPolicy", "%s does not set unhealthyPodEvictionPolicy (AlwaysAllow lets drains evict pods that are not ready): under the default, pods that are running but not ready can block node drains", Key(p))
		if budgetHasNoRoom(ctx.Set, p.Object) {
			f.Severity = 4
			f.Message += " (the budget has no room: one unready pod deadlocks the drain)"
		}
		out = append(out, f)
	}
	return out
}

func budgetHasNoRoom(s *Set, pdb map[string]any) bool {
	spec := mapAt(pdb, "spec")
	if n, ok := intAt(spec, "maxUnavailable"); ok {
		return n == 0
	}
	if v, ok := spec["maxUnavailable"].(string); ok {
		return percent(v) == 0
	}
	if v, ok := spec["minAvailable"].(string); ok {
		return percent(v) >= 100
	}
	minAv, ok := intAt(spec, "minAvailable")
	if !ok {
		return false
	}
	for _, w := range s.Workloads {
		if w.HasReplicas && sameNamespace(stringAt(pdb, "metadata", "namespace"), w.Obj.GetNamespace()) && pdbSelects(pdb, w.Labels) && minAv >= effectiveReplicas(s, w) {
			return true
		}
	}
	return false
}

// checkPDBBudget flags a budget that sets neither minAvailable nor
// maxUnavailable: policy/v1 gives it no default, so the disruption
// controller expects no pod to stay and allows every eviction.
func checkPDBBudget(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, p := range ctx.Set.OfKind("PodDisruptionBudget") {
		spec := mapAt(p.Object, "spec")
		if spec["minAvailable"] != nil || spec["maxUnavailable"] != nil || p.GetAPIVersion() == "policy/v1beta1" {
			continue // policy/v1beta1 defaulted minAvailable to 1
		}
		out = append(out, m.finding(Key(p), "/spec", "%s sets neither minAvailable nor maxUnavailable: it allows every eviction and protects nothing", Key(p)))
	}
	return out
}

// checkSpreadConstraints flags topology spread constraints the API server
// rejects (maxSkew below 1, no topologyKey, an unknown whenUnsatisfiable,
// minDomains below 1 or without DoNotSchedule) and, as low (3), one
// without a labelSelector, which counts no pod and so spreads nothing.
func checkSpreadConstraints(m Meta, w *Workload) []Finding {
	var out []Finding
	for i, c := range sliceAt(w.Spec, "topologySpreadConstraints") {
		cm, _ := c.(map[string]any)
		path := w.Pod.Path + "/topologySpreadConstraints/" + itoa(int64(i))
		skew, _ := toInt(cm["maxSkew"])
		when := stringAt(cm, "whenUnsatisfiable")
		minDomains, hasMin := toInt(cm["minDomains"])
		var problem string
		switch {
		case skew < 1:
			problem = "maxSkew must be at least 1"
		case stringAt(cm, "topologyKey") == "":
			problem = "it has no topologyKey"
		case when != "DoNotSchedule" && when != "ScheduleAnyway":
			problem = "whenUnsatisfiable must be DoNotSchedule or ScheduleAnyway"
		case hasMin && (minDomains < 1 || when != "DoNotSchedule"):
			problem = "minDomains must be at least 1 and needs whenUnsatisfiable: DoNotSchedule"
		}
		if problem != "" {
			out = append(out, m.finding(w.Key, path, "%s's topology spread constraint %d is invalid (%s): the API server will reject it", w.Key, i, problem))
			continue
		}
		if cm["labelSelector"] == nil {
			f := m.finding(w.Key, path+"/labelSelector", "%s's topology spread constraint %d has no labelSelector: it counts no pod, so it spreads nothing", w.Key, i)
			f.Severity = 3
			out = append(out, f)
		}
	}
	return out
}

// checkRolloutDowntime flags a Deployment that a Service of the set sends
// traffic to and whose rollout stops every pod before new ones are ready:
// strategy Recreate, or a rolling update whose maxUnavailable covers all
// replicas (100 %, or a number at least the replica count). Each promotion
// of it is then an outage. A Deployment no Service selects (a worker) is
// not judged: nobody is waiting for it.
func checkRolloutDowntime(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		if w.Kind != "Deployment" {
			continue
		}
		strategy := mapAt(w.Obj.Object, "spec", "strategy")
		var f Finding
		mu := mapAt(strategy, "rollingUpdate")["maxUnavailable"]
		n, isNum := toInt(mu)
		s, _ := mu.(string)
		switch {
		case stringAt(strategy, "type") == "Recreate":
			f = m.finding(w.Key, "/spec/strategy/type", "%s is replaced with strategy Recreate although a Service sends it traffic: every rollout stops all pods first, an outage", w.Key)
		case isNum && n > 0 && n >= effectiveReplicas(ctx.Set, w) || percent(s) >= 100:
			f = m.finding(w.Key, "/spec/strategy/rollingUpdate/maxUnavailable", "%s may take every pod down at once during a rollout (maxUnavailable %v): an outage while a Service sends it traffic", w.Key, mu)
		default:
			continue
		}
		// Checked last: only risky strategies pay for the Service lookup.
		if servedBy(ctx.Set, w) {
			out = append(out, f)
		}
	}
	return out
}

// servedBy reports whether a Service of the set selects the workload's
// pods.
func servedBy(s *Set, w *Workload) bool {
	for _, svc := range s.OfKind("Service") {
		sel := withoutHashLabels(stringMap(mapAt(svc.Object, "spec", "selector")))
		if sameNamespace(svc.GetNamespace(), w.Obj.GetNamespace()) && subset(sel, w.Labels) {
			return true
		}
	}
	return false
}

package risk

// Prometheus Operator monitors that select nothing: a renamed label on a
// Service or pod template silently stops the scraping, and the first sign
// is a dashboard gone flat. A ServiceMonitor selects Services by their own
// labels, a PodMonitor pods by their template labels, both in the
// monitor's namespace unless namespaceSelector names others (matchNames)
// or any namespace (any: true). When the set holds no candidate object at
// all, the finding is a low note (2): the targets may be deployed
// elsewhere. Like the Service selector rule, it stays silent when the set
// holds custom resources whose operators may create the targets.

func init() {
	register(setRule{Meta{"monitor-selects-nothing", "selector", 3}, checkMonitors})
}

// monitorNamespaces says which namespaces a monitor looks in: any, or the
// listed ones (the monitor's own when none are listed).
func monitorNamespaces(mon map[string]any, own string) (any bool, names []string) {
	ns := mapAt(mon, "spec", "namespaceSelector")
	if isTrue(boolAt(ns, "any")) {
		return true, nil
	}
	if names = stringList(sliceAt(ns, "matchNames")); len(names) > 0 {
		return false, names
	}
	return false, []string{own}
}

func inNamespaces(any bool, names []string, ns string) bool {
	if any || ns == "" {
		return true
	}
	for _, n := range names {
		if n == "" || n == ns {
			return true
		}
	}
	return false
}

func checkMonitors(m Meta, ctx *Context) []Finding {
	if ctx.Set.podOwners {
		return nil // an operator's custom resource creates Services and pods the engine cannot see
	}
	var out []Finding
	for _, mon := range ctx.Set.OfKind("ServiceMonitor") {
		any, names := monitorNamespaces(mon.Object, mon.GetNamespace())
		sel := parseSelector(mapAt(mon.Object, "spec", "selector"))
		if !sel.ok {
			continue
		}
		found, candidates := false, false
		for _, svc := range ctx.Set.OfKind("Service") {
			if !inNamespaces(any, names, svc.GetNamespace()) {
				continue
			}
			candidates = true
			if found = sel.matches(svc.GetLabels()); found {
				break
			}
		}
		if !found {
			out = append(out, monitorFinding(m, mon.Object, "Services", candidates))
		}
	}
	for _, mon := range ctx.Set.OfKind("PodMonitor") {
		any, names := monitorNamespaces(mon.Object, mon.GetNamespace())
		sel := parseSelector(mapAt(mon.Object, "spec", "selector"))
		if !sel.ok {
			continue
		}
		found, candidates := false, false
		for _, w := range ctx.Set.Workloads {
			if !inNamespaces(any, names, w.Obj.GetNamespace()) {
				continue
			}
			candidates = true
			if found = sel.matches(w.Labels); found {
				break
			}
		}
		if !found {
			out = append(out, monitorFinding(m, mon.Object, "pods", candidates))
		}
	}
	return out
}

func monitorFinding(m Meta, mon map[string]any, what string, candidates bool) Finding {
	key := roleKey(mon)
	f := m.finding(key, "/spec/selector", "%s selects no %s of the set: nothing is scraped", key, what)
	if !candidates {
		f.Severity = 2
		f.Message = key + " selects no " + what + " of the set: nothing is scraped unless they are deployed elsewhere"
	}
	return f
}

package risk

import (
	"strconv"
	"strings"
)

// Reliability rules: probes, resources, replicas, disruption budgets and
// autoscalers, judged per set.

func init() {
	register(
		containerRule{Meta{"missing-readiness-probe", "probes", 4}, checkReadiness},
		containerRule{Meta{"missing-liveness-probe", "probes", 3}, checkLiveness},
		containerRule{Meta{"missing-requests", "resources", 4}, checkRequests},
		containerRule{Meta{"missing-memory-limit", "resources", 3}, checkMemoryLimit},
		setRule{Meta{"single-replica", "replicas", 4}, checkSingleReplica},
		setRule{Meta{"missing-pdb", "pdb", 3}, checkMissingPDB},
		setRule{Meta{"pdb-blocks-eviction", "pdb", 5}, checkBlockingPDB},
		setRule{Meta{"pdb-selects-nothing", "pdb", 3}, checkPDBSelectsNothing},
		setRule{Meta{"hpa-target-missing", "hpa", 5}, checkHPATarget},
		setRule{Meta{"hpa-replicas-conflict", "hpa", 3}, checkHPAReplicas},
		setRule{Meta{"hpa-without-cpu-requests", "hpa", 5}, checkHPARequests},
		setRule{Meta{"hpa-min-replicas", "hpa", 4}, checkHPAMin},
		setRule{Meta{"hpa-cannot-scale", "hpa", 3}, checkHPARoom},
	)
}

// setRule is a SetRule written as one function.
type setRule struct {
	meta  Meta
	check func(m Meta, ctx *Context) []Finding
}

// Meta implements Rule.
func (r setRule) Meta() Meta { return r.meta }

// Check implements SetRule.
func (r setRule) Check(ctx *Context) []Finding { return r.check(r.meta, ctx) }

// serving workloads run until stopped; Jobs and CronJobs are not probed.
func serving(w *Workload) bool { return w.Kind != "Job" && w.Kind != "CronJob" }

func isInit(w *Workload, c Container) bool {
	for _, ic := range w.Pod.InitContainers {
		if ic.Path == c.Path {
			return true
		}
	}
	return false
}

func checkReadiness(m Meta, w *Workload, c Container) []Finding {
	if !serving(w) || isInit(w, c) || c.Readiness {
		return nil
	}
	return []Finding{m.finding(w.Key, c.Path+"/readinessProbe", "container %q has no readiness probe: traffic reaches it before it is ready", c.Name)}
}

func checkLiveness(m Meta, w *Workload, c Container) []Finding {
	if !serving(w) || isInit(w, c) || c.Liveness {
		return nil
	}
	return []Finding{m.finding(w.Key, c.Path+"/livenessProbe", "container %q has no liveness probe: a hung process is never restarted", c.Name)}
}

// checkRequests treats a limit without a request as a request, as the API
// server defaults it.
func checkRequests(m Meta, w *Workload, c Container) []Finding {
	var out []Finding
	for _, r := range []string{"cpu", "memory"} {
		if c.Requests[r] == "" && c.Limits[r] == "" {
			out = append(out, m.finding(w.Key, c.Path+"/resources/requests/"+r,
				"container %q has no %s request: the scheduler cannot place it reliably and its cost is an estimate", c.Name, r))
		}
	}
	return out
}

func checkMemoryLimit(m Meta, w *Workload, c Container) []Finding {
	if c.Limits["memory"] != "" {
		return nil
	}
	return []Finding{m.finding(w.Key, c.Path+"/resources/limits/memory", "container %q has no memory limit: it can starve its node", c.Name)}
}

// hpaFor returns the HPA (in s) that scales the workload, or nil. An HPA
// scales a target of its own namespace only.
func hpaFor(s *Set, w *Workload) map[string]any {
	h := s.hpas[w.Key]
	if h != nil && !sameNamespace(stringAt(h, "metadata", "namespace"), w.Obj.GetNamespace()) {
		return nil
	}
	return h
}

// effectiveReplicas is the HPA's minReplicas (default 1) when an HPA scales
// the workload, else spec.replicas.
func effectiveReplicas(s *Set, w *Workload) int64 {
	if h := hpaFor(s, w); h != nil {
		if n, ok := intAt(h, "spec", "minReplicas"); ok {
			return n
		}
		return 1
	}
	return w.Replicas
}

func checkSingleReplica(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		if !w.HasReplicas || effectiveReplicas(ctx.Set, w) != 1 {
			continue
		}
		out = append(out, m.finding(w.Key, "/spec/replicas", "%s runs a single replica: any restart or node drain is an outage", w.Key))
	}
	return out
}

// sameNamespace reports whether two objects may share a namespace: a
// budget only protects pods of its own namespace, and an object without
// one is deployed into the target namespace.
func sameNamespace(a, b string) bool { return a == "" || b == "" || a == b }

// pdbSelects reports whether a budget's selector (matchLabels and
// matchExpressions) matches labels. An empty selector selects every pod of
// the namespace in policy/v1 and none in policy/v1beta1; one the engine
// cannot read selects nothing here.
func pdbSelects(pdb map[string]any, labels map[string]string) bool {
	sel := parseSelector(mapAt(pdb, "spec", "selector"))
	if !sel.ok {
		return false
	}
	if sel.empty() {
		return stringAt(pdb, "apiVersion") == "policy/v1" && mapAt(pdb, "spec", "selector") != nil
	}
	return sel.matches(labels)
}

// pdbsFor returns the PodDisruptionBudgets selecting the workload's pods.
func pdbsFor(s *Set, w *Workload) []map[string]any {
	var out []map[string]any
	for _, p := range s.OfKind("PodDisruptionBudget") {
		if sameNamespace(p.GetNamespace(), w.Obj.GetNamespace()) && pdbSelects(p.Object, w.Labels) {
			out = append(out, p.Object)
		}
	}
	return out
}

func checkMissingPDB(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		if !w.HasReplicas || len(pdbsFor(ctx.Set, w)) > 0 {
			continue
		}
		path := "/spec/template/metadata/labels"
		if w.TemplatePath == workloadRefPath {
			path = workloadRefPath
		}
		if effectiveReplicas(ctx.Set, w) < 2 {
			// A budget cannot keep one replica available (it either allows
			// the eviction or blocks the drain); the single-replica rule
			// carries the real risk, this one the missing protection once
			// replicas are added.
			f := m.finding(w.Key, path, "%s has no PodDisruptionBudget; with one replica none can help: add replicas, then a budget", w.Key)
			f.Severity = 2
			out = append(out, f)
			continue
		}
		out = append(out, m.finding(w.Key, path, "%s has several replicas but no PodDisruptionBudget: a node drain may evict them all at once", w.Key))
	}
	return out
}

// checkBlockingPDB flags budgets that allow no voluntary eviction
// (maxUnavailable 0, or minAvailable equal to the replica count): node
// drains and cluster upgrades hang on them.
func checkBlockingPDB(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, p := range ctx.Set.OfKind("PodDisruptionBudget") {
		spec := mapAt(p.Object, "spec")
		if n, ok := intAt(spec, "maxUnavailable"); ok && n == 0 {
			out = append(out, m.finding(Key(p), "/spec/maxUnavailable", "%s allows no eviction (maxUnavailable: 0): node drains will hang", Key(p)))
			continue
		}
		if s, ok := spec["maxUnavailable"].(string); ok && s == "0%" {
			out = append(out, m.finding(Key(p), "/spec/maxUnavailable", "%s allows no eviction (maxUnavailable: 0%%): node drains will hang", Key(p)))
			continue
		}
		minAv, ok := intAt(spec, "minAvailable")
		if !ok {
			// A percentage rounds up, so anything from 100% requires every pod.
			if s, _ := spec["minAvailable"].(string); percent(s) >= 100 {
				out = append(out, m.finding(Key(p), "/spec/minAvailable", "%s requires all pods available (minAvailable: %s): node drains will hang", Key(p), s))
			}
			continue
		}
		for _, w := range ctx.Set.Workloads {
			if w.HasReplicas && sameNamespace(p.GetNamespace(), w.Obj.GetNamespace()) && pdbSelects(p.Object, w.Labels) && minAv >= effectiveReplicas(ctx.Set, w) {
				out = append(out, m.finding(Key(p), "/spec/minAvailable", "%s requires %d available pods but %s runs %d: node drains will hang", Key(p), minAv, w.Key, effectiveReplicas(ctx.Set, w)))
				break
			}
		}
	}
	return out
}

func checkHPATarget(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, h := range ctx.Set.OfKind("HorizontalPodAutoscaler") {
		ref := mapAt(h.Object, "spec", "scaleTargetRef")
		target := stringAt(ref, "kind") + "/" + stringAt(ref, "name")
		if inSet(ctx.Set, stringAt(ref, "kind"), stringAt(ref, "name"), h.GetNamespace()) == nil {
			out = append(out, m.finding(Key(h), "/spec/scaleTargetRef", "%s scales %s, which is not in the set", Key(h), target))
		}
	}
	return out
}

// checkHPARequests: utilization targets are relative to requests, so an
// HPA on CPU utilization cannot work for containers without CPU requests.
func checkHPARequests(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		h := hpaFor(ctx.Set, w)
		if h == nil || !scalesOnCPU(h) {
			continue
		}
		for _, c := range w.Pod.Containers {
			if c.Requests["cpu"] == "" && c.Limits["cpu"] == "" {
				out = append(out, m.finding(w.Key, c.Path+"/resources/requests/cpu", "an HPA scales %s on CPU utilization but container %q has no CPU request", w.Key, c.Name))
			}
		}
	}
	return out
}

func scalesOnCPU(h map[string]any) bool {
	if _, ok := intAt(h, "spec", "targetCPUUtilizationPercentage"); ok {
		return true
	}
	for _, mt := range sliceAt(h, "spec", "metrics") {
		mm, _ := mt.(map[string]any)
		if stringAt(mm, "resource", "name") == "cpu" && stringAt(mm, "resource", "target", "type") != "AverageValue" {
			return true
		}
	}
	return false
}

// checkPDBSelectsNothing flags a budget whose selector matches no workload
// of the set (a renamed label leaves the workload unprotected). Like the
// Service rule, it stays silent when custom resources may own pods.
func checkPDBSelectsNothing(m Meta, ctx *Context) []Finding {
	if ctx.Set.podOwners {
		return nil
	}
	var out []Finding
	for _, p := range ctx.Set.OfKind("PodDisruptionBudget") {
		sel := parseSelector(mapAt(p.Object, "spec", "selector"))
		if sel.ok && !sel.empty() && !sel.selectsWorkload(ctx.Set, p.GetNamespace()) {
			out = append(out, m.finding(Key(p), "/spec/selector", "%s selects no pods of any workload in the set: it protects nothing", Key(p)))
		}
	}
	return out
}

// checkHPAReplicas flags spec.replicas set on a workload an HPA scales: each
// GitOps sync resets the replica count the HPA chose (Argo CD and Flux
// recommend leaving it unset).
func checkHPAReplicas(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		if _, set := intAt(w.Obj.Object, "spec", "replicas"); set && hpaFor(ctx.Set, w) != nil {
			out = append(out, m.finding(w.Key, "/spec/replicas", "%s sets spec.replicas although an HPA scales it: every sync resets the HPA's choice", w.Key))
		}
	}
	return out
}

// percent reads "N%" and returns N, or -1.
func percent(s string) int64 {
	n, err := strconv.ParseInt(strings.TrimSuffix(s, "%"), 10, 64)
	if err != nil || !strings.HasSuffix(s, "%") {
		return -1
	}
	return n
}

// checkHPAMin flags an autoscaler that may scale its target down to one
// pod. When the target is in the set the single-replica rule reports it on
// the workload; this rule speaks for targets managed elsewhere.
func checkHPAMin(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, h := range ctx.Set.OfKind("HorizontalPodAutoscaler") {
		ref := mapAt(h.Object, "spec", "scaleTargetRef")
		if ctx.Set.Get(stringAt(ref, "kind")+"/"+stringAt(ref, "name")) != nil {
			continue
		}
		if n, ok := intAt(h.Object, "spec", "minReplicas"); !ok || n < 2 {
			out = append(out, m.finding(Key(h), "/spec/minReplicas", "%s may scale its target down to one pod: any restart or node drain is then an outage", Key(h)))
		}
	}
	return out
}

// checkHPARoom flags an autoscaler whose maxReplicas does not exceed its
// minReplicas: it can never add a pod under load.
func checkHPARoom(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, h := range ctx.Set.OfKind("HorizontalPodAutoscaler") {
		minR, ok := intAt(h.Object, "spec", "minReplicas")
		if !ok {
			minR = 1
		}
		if maxR, ok := intAt(h.Object, "spec", "maxReplicas"); ok && maxR <= minR {
			out = append(out, m.finding(Key(h), "/spec/maxReplicas", "%s cannot scale (maxReplicas %d, minReplicas %d): it adds no pod under load", Key(h), maxR, minR))
		}
	}
	return out
}

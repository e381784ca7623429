package risk

import (
	"strings"

	"github.com/usecapsule/capsule/internal/manifest"
)

// Pod specs that say something other than what their author meant:
// duplicate names the API server rejects or silently resolves, probes that
// cannot tell "busy" from "dead", and mutable images nodes keep cached.

func init() {
	register(
		podRule{Meta{"duplicate-container-name", "spec-validity", 8}, checkDuplicateContainers},
		containerRule{Meta{"duplicate-env-var", "spec-validity", 3}, checkDuplicateEnv},
		containerRule{Meta{"duplicate-container-port", "spec-validity", 8}, checkDuplicatePorts},
		containerRule{Meta{"identical-liveness-readiness", "probes", 3}, checkIdenticalProbes},
		containerRule{Meta{"mutable-image-cached", "image-tag", 5}, checkCachedMutable},
		setRule{Meta{"object-incomplete", "spec-validity", 8}, checkIncomplete},
		setRule{Meta{"duplicate-object", "spec-validity", 6}, checkDuplicateObjects},
		podRule{Meta{"deprecated-service-account-field", "spec-validity", 1}, checkDeprecatedSAField},
	)
}

// checkDuplicateContainers flags a container name used twice among the
// pod's containers and init containers: the API server rejects the object.
func checkDuplicateContainers(m Meta, w *Workload) []Finding {
	var out []Finding
	all := w.Pod.AllContainers()
	for i, c := range all {
		for _, prev := range all[:i] {
			if c.Name != "" && prev.Name == c.Name {
				out = append(out, m.finding(w.Key, c.Path+"/name", "%s has two containers named %q: the API server will reject it", w.Key, c.Name))
				break
			}
		}
	}
	return out
}

// checkDuplicateEnv flags a variable set twice in one container: the last
// one wins, so the first is dead configuration someone will edit in vain.
func checkDuplicateEnv(m Meta, w *Workload, c Container) []Finding {
	var out []Finding
	for i, e := range c.Env {
		for _, prev := range c.Env[:i] {
			if e.Name != "" && prev.Name == e.Name {
				out = append(out, m.finding(w.Key, e.Path+"/name", "container %q sets %s twice: only the last value is used", c.Name, e.Name))
				break
			}
		}
	}
	return out
}

// checkDuplicatePorts flags a port name declared twice in one container
// (the API server rejects it) and, as low (3), the same port number and
// protocol declared twice (accepted with a warning; a merge key clash for
// server-side apply).
func checkDuplicatePorts(m Meta, w *Workload, c Container) []Finding {
	var out []Finding
	ports := sliceAt(c.raw, "ports")
	for i, p := range ports {
		pm, _ := p.(map[string]any)
		path := c.Path + "/ports/" + itoa(int64(i))
		name := stringAt(pm, "name")
		n, isNum := toInt(pm["containerPort"])
		sameName, sameNumber := false, false
		for _, q := range ports[:i] {
			qm, _ := q.(map[string]any)
			sameName = sameName || (name != "" && stringAt(qm, "name") == name)
			qn, ok := toInt(qm["containerPort"])
			sameNumber = sameNumber || (isNum && ok && qn == n && protocol(qm) == protocol(pm))
		}
		if sameName {
			out = append(out, m.finding(w.Key, path+"/name", "container %q declares the port name %q twice: the API server will reject it", c.Name, name))
		}
		if sameNumber {
			f := m.finding(w.Key, path+"/containerPort", "container %q declares port %s twice", c.Name, itoa(n)+"/"+protocol(pm))
			f.Severity = 3
			out = append(out, f)
		}
	}
	return out
}

// protocol is a port's protocol, TCP when unset.
func protocol(port map[string]any) string {
	if p := stringAt(port, "protocol"); p != "" {
		return p
	}
	return "TCP"
}

// probeHandlers are the fields that say what a probe checks.
var probeHandlers = []string{"httpGet", "tcpSocket", "grpc", "exec"}

// checkIdenticalProbes flags a liveness probe that checks exactly what the
// readiness probe checks: a pod that is only busy fails both, and is
// restarted instead of being taken out of rotation, which turns load into
// restarts.
func checkIdenticalProbes(m Meta, w *Workload, c Container) []Finding {
	if !c.Liveness || !c.Readiness {
		return nil
	}
	live, ready := mapAt(c.raw, "livenessProbe"), mapAt(c.raw, "readinessProbe")
	for _, h := range probeHandlers {
		if live[h] == nil && ready[h] == nil {
			continue
		}
		if live[h] != nil && manifest.ValuesEqual(live[h], ready[h]) && sameTiming(live, ready) {
			return []Finding{m.finding(w.Key, c.Path+"/livenessProbe", "container %q's liveness probe is its readiness probe: a busy container is restarted instead of taken out of rotation", c.Name)}
		}
		return nil
	}
	return nil
}

// sameTiming reports whether the probes fail after the same time: a
// liveness probe that gives up later than the readiness probe does tell
// "busy" from "dead".
func sameTiming(a, b map[string]any) bool {
	for _, f := range []string{"periodSeconds", "failureThreshold", "timeoutSeconds"} {
		if !manifest.ValuesEqual(a[f], b[f]) {
			return false
		}
	}
	return true
}

// checkCachedMutable flags a mutable image (no digest, latest or no tag)
// whose imagePullPolicy is explicitly not Always: each node keeps the
// image it pulled first, so replicas run different code and a rollout may
// not change anything.
func checkCachedMutable(m Meta, w *Workload, c Container) []Finding {
	policy := stringAt(c.raw, "imagePullPolicy")
	if c.Image == "" || policy == "" || strings.EqualFold(policy, "Always") || !mutableImage(c.Image) {
		return nil
	}
	return []Finding{m.finding(w.Key, c.Path+"/imagePullPolicy", "container %q pulls the mutable image %q only when absent (imagePullPolicy: %s): nodes keep whichever version they pulled first", c.Name, c.Image, policy)}
}

// checkIncomplete flags an object without apiVersion, kind or name (nor a
// generateName): the API server rejects it. The manifest loader refuses
// such files, so this speaks for objects that reach the engine another way
// (a live dump, the API), where a missing field must be a finding rather
// than a failed preview.
func checkIncomplete(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, o := range ctx.Set.Objects {
		var missing []string
		if o.GetAPIVersion() == "" {
			missing = append(missing, "apiVersion")
		}
		if o.GetKind() == "" {
			missing = append(missing, "kind")
		}
		if o.GetName() == "" && o.GetGenerateName() == "" {
			missing = append(missing, "metadata.name")
		}
		if len(missing) > 0 {
			out = append(out, m.finding(Key(o), "/"+strings.Split(missing[0], ".")[0], "%s has no %s: the API server will reject it", Key(o), strings.Join(missing, ", ")))
		}
	}
	return out
}

// checkDuplicateObjects flags two objects of the same kind, namespace and
// name: whichever is applied last silently replaces the other, and the
// preview judges only one of them in its comparisons. Objects are sorted
// by "Kind/name", so duplicates are neighbours.
func checkDuplicateObjects(m Meta, ctx *Context) []Finding {
	var out []Finding
	objs := ctx.Set.Objects
	for i := 1; i < len(objs); i++ {
		a, b := objs[i-1], objs[i]
		if b.GetName() == "" || a.GetName() != b.GetName() || a.GetKind() != b.GetKind() || a.GetNamespace() != b.GetNamespace() ||
			a.GetAPIVersion() != b.GetAPIVersion() && a.GroupVersionKind().Group != b.GroupVersionKind().Group {
			continue
		}
		out = append(out, m.finding(Key(b), "/metadata/name", "%s appears twice in the set: the one applied last replaces the other", Key(b)))
	}
	return out
}

// checkDeprecatedSAField flags the serviceAccount field, the deprecated
// alias of serviceAccountName: when both are set and differ, the API
// server uses serviceAccountName, so the one a reader sees may not be the
// one that runs.
func checkDeprecatedSAField(m Meta, w *Workload) []Finding {
	old := stringAt(w.Spec, "serviceAccount")
	if old == "" || w.TemplatePath == workloadRefPath {
		return nil
	}
	f := m.finding(w.Key, w.Pod.Path+"/serviceAccount", "%s sets the deprecated serviceAccount field: use serviceAccountName", w.Key)
	if name := stringAt(w.Spec, "serviceAccountName"); name != "" && name != old {
		f.Severity = 4
		f.Message = w.Key + " sets serviceAccount " + old + " but serviceAccountName " + name + ": the pods run as " + name
	}
	return []Finding{f}
}

package risk

// Ports that do not exist where they are aimed.
//
// Probes aimed at a port the container does not declare (kube-linter's
// liveness-port, readiness-port and startup-port). A named port the
// container does not declare cannot be resolved: the probe fails every
// time, so a liveness or startup probe restarts the container forever and a
// readiness probe keeps it out of its Service. A number the container does
// not declare still works when the process listens there, so it is low (2),
// and medium (4) when the container declares other ports: the probe then
// most likely aims at the wrong one.

func init() {
	register(
		containerRule{Meta{"probe-port-undeclared", "probes", 7}, checkProbePorts},
		setRule{Meta{"service-target-port-missing", "selector", 7}, checkServiceTargetPorts},
	)
}

var probeKinds = []string{"livenessProbe", "readinessProbe", "startupProbe"}

func checkProbePorts(m Meta, w *Workload, c Container) []Finding {
	if !c.Liveness && !c.Readiness && !c.Startup {
		return nil
	}
	var out []Finding
	for _, kind := range probeKinds {
		probe := mapAt(c.raw, kind)
		if probe == nil {
			continue
		}
		for _, handler := range []string{"httpGet", "tcpSocket", "grpc"} {
			h := mapAt(probe, handler)
			if h == nil {
				continue
			}
			path := func() string { return c.Path + "/" + kind + "/" + handler + "/port" }
			if name, isName := h["port"].(string); isName {
				if !declaresName(c, name, true) {
					out = append(out, m.finding(w.Key, path(), "container %q's %s targets port %q, which it does not declare as a TCP port: the probe can never succeed", c.Name, kind, name))
				}
				continue
			}
			n, isNum := toInt(h["port"])
			if !isNum || declaresNumber(c, n) {
				continue
			}
			f := m.finding(w.Key, path(), "container %q's %s targets port %d, which it does not declare", c.Name, kind, n)
			f.Severity = 2
			if len(sliceAt(c.raw, "ports")) > 0 {
				f.Severity = 4
				f.Message += " (it declares other ports: the probe may aim at the wrong one)"
			}
			out = append(out, f)
		}
	}
	return out
}

// declaresName and declaresNumber look a port up among the container's
// declared ports. A linear scan: containers declare a handful of ports,
// and the preview budget has no room for a map per container.
// Probes connect over TCP, so only TCP ports count for them (tcpOnly); a
// Service may target a port of any protocol.
func declaresName(c Container, name string, tcpOnly bool) bool {
	for _, p := range sliceAt(c.raw, "ports") {
		if pm, _ := p.(map[string]any); stringAt(pm, "name") == name && (!tcpOnly || protocol(pm) == "TCP") {
			return true
		}
	}
	return false
}

func declaresNumber(c Container, n int64) bool {
	for _, p := range sliceAt(c.raw, "ports") {
		pm, _ := p.(map[string]any)
		if got, ok := toInt(pm["containerPort"]); ok && got == n && protocol(pm) == "TCP" {
			return true
		}
	}
	return false
}

// checkServiceTargetPorts flags a Service port whose targetPort is a name
// that no container of the pods it selects declares: that port has no
// endpoints. A numeric targetPort reaches the process whether or not the
// container declares it, so it is not judged. Like the selector rule it
// stays silent when custom resources may own pods the engine cannot see.
func checkServiceTargetPorts(m Meta, ctx *Context) []Finding {
	if ctx.Set.podOwners {
		return nil
	}
	var out []Finding
	for _, svc := range ctx.Set.OfKind("Service") {
		if !namedTargetPort(svc.Object) || stringAt(svc.Object, "spec", "type") == "ExternalName" {
			continue // only named target ports are judged: skip the selector work
		}
		sel := withoutHashLabels(stringMap(mapAt(svc.Object, "spec", "selector")))
		if len(sel) == 0 {
			continue
		}
		var selected []*Workload
		for _, w := range ctx.Set.Workloads {
			if sameNamespace(svc.GetNamespace(), w.Obj.GetNamespace()) && subset(sel, w.Labels) && w.TemplatePath != workloadRefPath {
				selected = append(selected, w)
			}
		}
		if len(selected) == 0 {
			continue // service-selector-matches-nothing speaks for it
		}
		for i, p := range sliceAt(svc.Object, "spec", "ports") {
			pm, _ := p.(map[string]any)
			name, isName := pm["targetPort"].(string)
			if !isName || declaresPortName(selected, name) {
				continue
			}
			out = append(out, m.finding(Key(svc), "/spec/ports/"+itoa(int64(i))+"/targetPort",
				"%s sends port %v to the port named %q, which no container of %s declares: that port has no endpoints", Key(svc), pm["port"], name, selected[0].Key))
		}
	}
	return out
}

func namedTargetPort(svc map[string]any) bool {
	for _, p := range sliceAt(svc, "spec", "ports") {
		if pm, _ := p.(map[string]any); pm != nil {
			if _, ok := pm["targetPort"].(string); ok {
				return true
			}
		}
	}
	return false
}

func declaresPortName(ws []*Workload, name string) bool {
	for _, w := range ws {
		for _, c := range w.Pod.AllContainers() {
			if declaresName(c, name, false) {
				return true
			}
		}
	}
	return false
}

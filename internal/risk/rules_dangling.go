package risk

import "k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"

// References between objects of the set that lead nowhere: an Ingress
// backend, a NetworkPolicy selector, a pod's ServiceAccount.
//
// Objects a promotion refers to may be managed elsewhere (a shared
// ServiceAccount, a Service of another team). A missing object is therefore
// reported at the rule's severity only when the set holds objects of that
// kind in the same namespace: the application manages that kind itself, so
// a name that is not among them is a typo or a forgotten file. Otherwise
// it is a low note (2) that asks to make sure the object exists.

func init() {
	register(
		setRule{Meta{"ingress-backend-missing", "selector", 7}, checkIngressBackends},
		setRule{Meta{"network-policy-selects-nothing", "network-policy", 4}, checkPolicySelectors},
		setRule{Meta{"service-account-missing", "config-reference", 7}, checkServiceAccounts},
		setRule{Meta{"statefulset-service-missing", "selector", 4}, checkStatefulSetServices},
	)
}

// holdsKind reports whether the set has an object of kind that may share
// namespace ns.
func holdsKind(s *Set, kind, ns string) bool {
	for _, o := range s.OfKind(kind) {
		if sameNamespace(ns, o.GetNamespace()) {
			return true
		}
	}
	return false
}

// inSet returns the object "kind/name" when it may share namespace ns.
func inSet(s *Set, kind, name, ns string) *unstructured.Unstructured {
	o := s.Get(kind + "/" + name)
	if o == nil || !sameNamespace(ns, o.GetNamespace()) {
		return nil
	}
	return o
}

// backend is one Service an Ingress sends traffic to; port is an int64
// number or a string name, nil when not given.
type backend struct {
	path string
	name string
	port any
	// legacyInV1 marks serviceName/servicePort in networking.k8s.io/v1,
	// which that version does not have.
	legacyInV1 bool
}

// ingressBackends reads networking.k8s.io/v1 (service.name, port.number or
// port.name) and the older extensions form (serviceName, servicePort).
// Resource backends are not Services and are skipped.
func ingressBackends(ing map[string]any) []backend {
	var out []backend
	v1 := stringAt(ing, "apiVersion") == "networking.k8s.io/v1"
	add := func(b map[string]any, path string) {
		if svc := mapAt(b, "service"); svc != nil {
			var port any
			if n, ok := intAt(svc, "port", "number"); ok {
				port = n
			} else if s := stringAt(svc, "port", "name"); s != "" {
				port = s
			}
			out = append(out, backend{path: path + "/service", name: stringAt(svc, "name"), port: port})
		} else if name := stringAt(b, "serviceName"); name != "" && v1 {
			// networking.k8s.io/v1 has no serviceName: the backend is empty.
			out = append(out, backend{path: path + "/serviceName", name: name, legacyInV1: true})
		} else if name != "" {
			var port any
			if n, ok := toInt(b["servicePort"]); ok {
				port = n
			} else if s, ok := b["servicePort"].(string); ok {
				port = s
			}
			out = append(out, backend{path: path, name: name, port: port})
		}
	}
	for _, field := range []string{"defaultBackend", "backend"} {
		if b := mapAt(ing, "spec", field); b != nil {
			add(b, "/spec/"+field)
		}
	}
	for i, r := range sliceAt(ing, "spec", "rules") {
		rm, _ := r.(map[string]any)
		for j, p := range sliceAt(rm, "http", "paths") {
			pm, _ := p.(map[string]any)
			add(mapAt(pm, "backend"), "/spec/rules/"+itoa(int64(i))+"/http/paths/"+itoa(int64(j))+"/backend")
		}
	}
	return out
}

func checkIngressBackends(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, ing := range ctx.Set.OfKind("Ingress") {
		ns := ing.GetNamespace()
		for _, b := range ingressBackends(ing.Object) {
			if b.legacyInV1 {
				out = append(out, m.finding(Key(ing), b.path, "%s uses serviceName/servicePort, which networking.k8s.io/v1 replaced with service.name and service.port: the backend is empty and the API server will reject it", Key(ing)))
				continue
			}
			if b.name == "" {
				continue
			}
			svc := inSet(ctx.Set, "Service", b.name, ns)
			if svc == nil {
				f := m.finding(Key(ing), b.path, "%s routes to Service/%s, which is not in the set: requests get 503 unless it exists in the cluster", Key(ing), b.name)
				if !holdsKind(ctx.Set, "Service", ns) {
					f.Severity = 2
				} else {
					f.Message = Key(ing) + " routes to Service/" + b.name + ", which is not among the set's Services: requests will get 503"
				}
				out = append(out, f)
				continue
			}
			if b.port != nil && !servicePort(svc.Object, b.port) {
				out = append(out, m.finding(Key(ing), b.path, "%s routes to port %v of Service/%s, which has no such port: requests will get 503", Key(ing), b.port, b.name))
			}
		}
	}
	return out
}

// servicePort reports whether the Service has the port, by number or name.
func servicePort(svc map[string]any, port any) bool {
	for _, p := range sliceAt(svc, "spec", "ports") {
		pm, _ := p.(map[string]any)
		switch want := port.(type) {
		case int64:
			if n, ok := toInt(pm["port"]); ok && n == want {
				return true
			}
		case string:
			if stringAt(pm, "name") == want {
				return true
			}
		}
	}
	return false
}

// checkPolicySelectors flags a NetworkPolicy whose podSelector selects no
// pod of the set (it protects nothing, and the pods it was written for stay
// open), and peers of its rules whose podSelector, without a
// namespaceSelector, selects no pod of the set. Peers are a low note (2):
// they may name pods of another application in the same namespace.
func checkPolicySelectors(m Meta, ctx *Context) []Finding {
	if ctx.Set.podOwners {
		return nil
	}
	var out []Finding
	for _, p := range ctx.Set.OfKind("NetworkPolicy") {
		ns := p.GetNamespace()
		sel := parseSelector(mapAt(p.Object, "spec", "podSelector"))
		if sel.ok && !sel.empty() && !sel.selectsWorkload(ctx.Set, ns) {
			f := m.finding(Key(p), "/spec/podSelector", "%s selects no pod of the set: it protects nothing", Key(p))
			if !hasWorkloadIn(ctx.Set, ns) {
				f.Severity = 2
			}
			out = append(out, f)
		}
		for _, dir := range []struct{ rules, peers string }{{"ingress", "from"}, {"egress", "to"}} {
			for i, r := range sliceAt(p.Object, "spec", dir.rules) {
				rm, _ := r.(map[string]any)
				for j, peer := range sliceAt(rm, dir.peers) {
					pm, _ := peer.(map[string]any)
					if pm["namespaceSelector"] != nil || mapAt(pm, "podSelector") == nil {
						continue
					}
					ps := parseSelector(mapAt(pm, "podSelector"))
					if !ps.ok || ps.empty() || ps.selectsWorkload(ctx.Set, ns) {
						continue
					}
					f := m.finding(Key(p), "/spec/"+dir.rules+"/"+itoa(int64(i))+"/"+dir.peers+"/"+itoa(int64(j))+"/podSelector",
						"%s allows %s pods that no workload of the set runs: the rule allows nothing unless other pods of the namespace match", Key(p), map[string]string{"from": "traffic from", "to": "traffic to"}[dir.peers])
					f.Severity = 2
					out = append(out, f)
				}
			}
		}
	}
	return out
}

func hasWorkloadIn(s *Set, ns string) bool {
	for _, w := range s.Workloads {
		if sameNamespace(ns, w.Obj.GetNamespace()) {
			return true
		}
	}
	return false
}

// checkServiceAccounts flags pods running as a ServiceAccount the set does
// not hold: the controller cannot create them until it exists. The
// namespace's default account is always there. The deprecated
// serviceAccount field is read when serviceAccountName is absent, as the
// API server does.
func checkServiceAccounts(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		if w.TemplatePath == workloadRefPath {
			continue // the referenced Deployment is judged itself
		}
		field := "serviceAccountName"
		name := stringAt(w.Spec, field)
		if name == "" {
			field = "serviceAccount"
			name = stringAt(w.Spec, field)
		}
		ns := w.Obj.GetNamespace()
		if name == "" || name == "default" || inSet(ctx.Set, "ServiceAccount", name, ns) != nil {
			continue
		}
		f := m.finding(w.Key, w.Pod.Path+"/"+field, "pods of %s run as ServiceAccount/%s, which is not among the set's ServiceAccounts: they will not be created", w.Key, name)
		if !holdsKind(ctx.Set, "ServiceAccount", ns) {
			f.Severity = 2
			f.Message = "pods of " + w.Key + " run as ServiceAccount/" + name + ", which is not in the set: they will not be created unless it exists in the cluster"
		}
		out = append(out, f)
	}
	return out
}

// selectsLabels reports whether a Service's selector matches labels; a
// Service without a selector (endpoints managed by hand) is not judged.
func selectsLabels(svc map[string]any, labels map[string]string) bool {
	sel := withoutHashLabels(stringMap(mapAt(svc, "spec", "selector")))
	return len(sel) == 0 || subset(sel, labels)
}

// checkStatefulSetServices flags a StatefulSet whose serviceName names no
// Service of the set (its pods get no stable DNS names, which peers of a
// clustered database use to find each other), and, as low (3), one that
// names a Service that is not headless (clusterIP: None), which gives no
// per-pod names either.
func checkStatefulSetServices(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, o := range ctx.Set.OfKind("StatefulSet") {
		name := stringAt(o.Object, "spec", "serviceName")
		if name == "" {
			continue
		}
		ns := o.GetNamespace()
		svc := inSet(ctx.Set, "Service", name, ns)
		switch {
		case svc == nil && holdsKind(ctx.Set, "Service", ns):
			out = append(out, m.finding(Key(o), "/spec/serviceName", "%s names Service/%s, which is not among the set's Services: its pods get no stable DNS names", Key(o), name))
		case svc == nil:
			f := m.finding(Key(o), "/spec/serviceName", "%s names Service/%s, which is not in the set: its pods get no stable DNS names unless it exists in the cluster", Key(o), name)
			f.Severity = 2
			out = append(out, f)
		case stringAt(svc.Object, "spec", "clusterIP") != "None":
			f := m.finding(Key(o), "/spec/serviceName", "%s names Service/%s, which is not headless (clusterIP: None): its pods get no per-pod DNS names", Key(o), name)
			f.Severity = 3
			out = append(out, f)
		case !selectsLabels(svc.Object, stringMap(mapAt(o.Object, "spec", "template", "metadata", "labels"))):
			f := m.finding(Key(o), "/spec/serviceName", "%s names Service/%s, which does not select its pods: they get no per-pod DNS names", Key(o), name)
			f.Severity = 3
			out = append(out, f)
		}
	}
	return out
}

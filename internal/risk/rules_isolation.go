package risk

import "strings"

// Kernel-level isolation: what stands between a container and the node's
// kernel besides privileges and capabilities. Unsafe sysctls change
// kernel settings other pods of the node share (or make the kubelet refuse
// the pod); seccomp and AppArmor "Unconfined" open every system call and
// file the runtime's profile would deny; a shared process namespace lets
// each container see the others' processes, environment and files through
// /proc; group 0 gives access to files the node's root group owns.

func init() {
	register(
		setRule{Meta{"unsafe-sysctl", "isolation", 6}, checkSysctls},
		containerRule{Meta{"seccomp-unconfined", "isolation", 5}, checkSeccomp},
		containerRule{Meta{"apparmor-unconfined", "isolation", 5}, checkAppArmor},
		podRule{Meta{"share-process-namespace", "isolation", 4}, checkShareProcess},
		containerRule{Meta{"runs-as-root-group", "run-as-root", 4}, checkRootGroup},
	)
}

// safeSince returns the minor version from which the kubelet allows a
// namespaced sysctl by default, and false for one it never allows.
func safeSince(name string) (int, bool) {
	switch name {
	case "kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range", "net.ipv4.tcp_syncookies",
		"net.ipv4.ping_group_range", "net.ipv4.ip_unprivileged_port_start":
		return 0, true
	case "net.ipv4.ip_local_reserved_ports":
		return 27, true
	case "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout", "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes":
		return 29, true
	case "net.ipv4.tcp_rmem", "net.ipv4.tcp_wmem":
		return 32, true
	}
	return 0, false
}

// checkSysctls flags pod sysctls outside the target version's safe set:
// the kubelet rejects the pod (SysctlForbidden) unless the node allows
// them with --allowed-unsafe-sysctls, and then they may reach beyond the
// pod.
func checkSysctls(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		for i, s := range sliceAt(w.Spec, "securityContext", "sysctls") {
			sm, _ := s.(map[string]any)
			name := stringAt(sm, "name")
			if name == "" {
				continue
			}
			// The kubelet accepts "/" as the separator too.
			if since, ok := safeSince(strings.ReplaceAll(name, "/", ".")); ok && (ctx.Version.Major > 1 || ctx.Version.Minor >= since) {
				continue
			}
			out = append(out, m.finding(w.Key, w.Pod.Path+"/securityContext/sysctls/"+itoa(int64(i))+"/name",
				"pods of %s set the unsafe sysctl %s: the kubelet refuses them unless the node allows it, and it may affect the node", w.Key, name))
		}
	}
	return out
}

// templateAnnotations returns the annotations of the workload's pods as
// written (no copy: it is read once per container).
func templateAnnotations(w *Workload) map[string]any {
	tmpl, _ := atPointer(w.Obj.Object, w.TemplatePath).(map[string]any)
	return mapAt(tmpl, "metadata", "annotations")
}

// annotationPath is the JSON pointer of a pod annotation ("/" escaped).
func annotationPath(w *Workload, key string) string {
	return w.TemplatePath + "/metadata/annotations/" + strings.ReplaceAll(strings.ReplaceAll(key, "~", "~0"), "/", "~1")
}

// unconfined finds the profile that applies to the container, the most
// specific first: the container's field, its legacy annotation, the pod's
// field, the pod's legacy annotation. It returns the path of an
// "Unconfined" one, or "".
func unconfined(w *Workload, c Container, field string, containerAnn, podAnn string) string {
	if t := stringAt(c.raw, "securityContext", field, "type"); t != "" {
		if t == "Unconfined" {
			return c.Path + "/securityContext/" + field + "/type"
		}
		return ""
	}
	ann := templateAnnotations(w)
	if len(ann) > 0 { // the key is built only when there is something to look up
		if v, ok := ann[containerAnn+c.Name].(string); ok {
			if v == "unconfined" {
				return annotationPath(w, containerAnn+c.Name)
			}
			return ""
		}
	}
	if t := stringAt(w.Spec, "securityContext", field, "type"); t != "" {
		if t == "Unconfined" {
			return w.Pod.Path + "/securityContext/" + field + "/type"
		}
		return ""
	}
	if podAnn != "" && ann[podAnn] == any("unconfined") {
		return annotationPath(w, podAnn)
	}
	return ""
}

func checkSeccomp(m Meta, w *Workload, c Container) []Finding {
	p := unconfined(w, c, "seccompProfile", "container.seccomp.security.alpha.kubernetes.io/", "seccomp.security.alpha.kubernetes.io/pod")
	if p == "" {
		return nil
	}
	return []Finding{m.finding(w.Key, p, "container %q runs without a seccomp profile (Unconfined): every system call reaches the node's kernel", c.Name)}
}

func checkAppArmor(m Meta, w *Workload, c Container) []Finding {
	p := unconfined(w, c, "appArmorProfile", "container.apparmor.security.beta.kubernetes.io/", "")
	if p == "" {
		return nil
	}
	return []Finding{m.finding(w.Key, p, "container %q runs without an AppArmor profile (Unconfined)", c.Name)}
}

func checkShareProcess(m Meta, w *Workload) []Finding {
	if !isTrue(boolAt(w.Spec, "shareProcessNamespace")) {
		return nil
	}
	return []Finding{m.finding(w.Key, w.Pod.Path+"/shareProcessNamespace", "containers of %s share one process namespace: each sees the others' processes, environment and files through /proc", w.Key)}
}

// checkRootGroup flags runAsGroup 0 (the container's, else the pod's): files
// the root group may write on mounted volumes and in the image become
// writable.
func checkRootGroup(m Meta, w *Workload, c Container) []Finding {
	path := c.Path + "/securityContext/runAsGroup"
	g, ok := intAt(c.raw, "securityContext", "runAsGroup")
	if !ok {
		path = w.Pod.Path + "/securityContext/runAsGroup"
		g, ok = intAt(w.Spec, "securityContext", "runAsGroup")
	}
	if !ok || g != 0 {
		return nil
	}
	return []Finding{m.finding(w.Key, path, "container %q runs with group 0 (runAsGroup: 0): it can use files the root group owns", c.Name)}
}

package risk

import "strings"

// Security rules: the pod-level hardening checks of kube-score, Polaris and
// kube-linter, judged per set so that a change shows as new or resolved.

func init() {
	register(
		containerRule{Meta{"privileged-container", "privileged", 9}, checkPrivileged},
		containerRule{Meta{"privilege-escalation-allowed", "privilege-escalation", 6}, checkEscalation},
		containerRule{Meta{"runs-as-root", "run-as-root", 6}, checkRoot},
		containerRule{Meta{"host-port", "host-port", 5}, checkHostPort},
		containerRule{Meta{"dangerous-capabilities", "capabilities", 8}, checkCapabilities},
		containerRule{Meta{"writable-root-filesystem", "readonly-rootfs", 2}, checkReadOnlyRoot},
		podRule{Meta{"host-namespace", "host-namespace", 8}, checkHostNamespace},
		podRule{Meta{"host-path-volume", "host-path", 7}, checkHostPath},
	)
}

// containerRule runs check on every container (init containers included)
// of every workload.
type containerRule struct {
	meta  Meta
	check func(m Meta, w *Workload, c Container) []Finding
}

// Meta implements Rule.
func (r containerRule) Meta() Meta { return r.meta }

// Check implements SetRule.
func (r containerRule) Check(ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		for _, c := range w.Pod.AllContainers() {
			out = append(out, r.check(r.meta, w, c)...)
		}
	}
	return out
}

// podRule runs check once per workload.
type podRule struct {
	meta  Meta
	check func(m Meta, w *Workload) []Finding
}

// Meta implements Rule.
func (r podRule) Meta() Meta { return r.meta }

// Check implements SetRule.
func (r podRule) Check(ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		out = append(out, r.check(r.meta, w)...)
	}
	return out
}

func checkPrivileged(m Meta, w *Workload, c Container) []Finding {
	if !isTrue(c.Privileged) {
		return nil
	}
	return []Finding{m.finding(w.Key, c.Path+"/securityContext/privileged",
		"container %q runs privileged: it has full access to the node", c.Name)}
}

// checkEscalation reports an explicit allowPrivilegeEscalation: true at the
// rule's severity and an unset one as low (3): the default allows it, but
// flagging every unset field as medium would drown the real changes.
func checkEscalation(m Meta, w *Workload, c Container) []Finding {
	if isFalse(c.AllowEscalation) {
		return nil
	}
	f := m.finding(w.Key, c.Path+"/securityContext/allowPrivilegeEscalation",
		"container %q may gain more privileges than its parent process (set allowPrivilegeEscalation: false)", c.Name)
	if c.AllowEscalation == nil {
		f.Severity = 3
	}
	return []Finding{f}
}

// checkRoot reports runAsUser 0 at the rule's severity, and a container not
// required to run as non-root (neither pod nor container runAsNonRoot nor a
// non-zero runAsUser) as low (3).
func checkRoot(m Meta, w *Workload, c Container) []Finding {
	user := c.RunAsUser
	if user == nil {
		user = w.Pod.RunAsUser
	}
	nonRoot := c.RunAsNonRoot
	if nonRoot == nil {
		nonRoot = w.Pod.RunAsNonRoot
	}
	switch {
	case user != nil && *user == 0:
		return []Finding{m.finding(w.Key, c.Path+"/securityContext/runAsUser", "container %q runs as root (runAsUser: 0)", c.Name)}
	case isTrue(nonRoot) || (user != nil && *user > 0):
		return nil
	}
	f := m.finding(w.Key, c.Path+"/securityContext/runAsNonRoot", "container %q may run as root (set runAsNonRoot: true)", c.Name)
	f.Severity = 3
	return []Finding{f}
}

func checkHostPort(m Meta, w *Workload, c Container) []Finding {
	var out []Finding
	for _, hp := range c.HostPorts {
		out = append(out, m.finding(w.Key, hp.Path, "container %q binds host port %d: one pod per node and exposed outside the cluster network", c.Name, hp.Port))
	}
	return out
}

// privilegedCaps are capabilities that amount to root on the node, or
// reach past the container (raw devices, kernel modules, the MAC policy,
// other processes, the network of the node): Kubescape's insecure
// capabilities and kube-score's list together.
var privilegedCaps = map[string]bool{
	"ALL": true, "SYS_ADMIN": true, "NET_ADMIN": true, "SYS_PTRACE": true, "SYS_MODULE": true,
	"DAC_READ_SEARCH": true, "NET_RAW": true, "BPF": true, "SETPCAP": true, "SYS_RAWIO": true,
	"SYS_BOOT": true, "MAC_ADMIN": true, "MAC_OVERRIDE": true, "PERFMON": true,
}

// checkCapabilities reports added dangerous capabilities (8), other added
// ones (4) and, as low (2), a container that does not drop ALL.
// NET_BIND_SERVICE is not reported: the restricted Pod Security Standard
// allows adding it (ingress controllers drop ALL and add it to bind :80).
func checkCapabilities(m Meta, w *Workload, c Container) []Finding {
	var out []Finding
	for i, cp := range c.CapAdd {
		name := strings.TrimPrefix(strings.ToUpper(cp), "CAP_")
		if name == "NET_BIND_SERVICE" {
			continue
		}
		f := m.finding(w.Key, c.Path+"/securityContext/capabilities/add/"+itoa(int64(i)), "container %q adds capability %s", c.Name, name)
		if !privilegedCaps[name] {
			f.Severity = 4
		}
		out = append(out, f)
	}
	for _, d := range c.CapDrop {
		if strings.EqualFold(d, "ALL") {
			return out
		}
	}
	f := m.finding(w.Key, c.Path+"/securityContext/capabilities/drop", "container %q does not drop ALL capabilities (set capabilities.drop: [ALL])", c.Name)
	f.Severity = 2
	return append(out, f)
}

func checkReadOnlyRoot(m Meta, w *Workload, c Container) []Finding {
	if isTrue(c.ReadOnlyRootFS) {
		return nil
	}
	return []Finding{m.finding(w.Key, c.Path+"/securityContext/readOnlyRootFilesystem", "container %q can write to its root filesystem", c.Name)}
}

func checkHostNamespace(m Meta, w *Workload) []Finding {
	var out []Finding
	for _, ns := range []struct {
		on   bool
		name string
	}{{w.Pod.HostNetwork, "hostNetwork"}, {w.Pod.HostPID, "hostPID"}, {w.Pod.HostIPC, "hostIPC"}} {
		if ns.on {
			out = append(out, m.finding(w.Key, w.Pod.Path+"/"+ns.name, "pod shares the node's namespace (%s: true)", ns.name))
		}
	}
	return out
}

// sensitiveHostPaths give control of the node or its container runtime.
var sensitiveHostPaths = []string{"/", "/etc", "/var/run/docker.sock", "/run/containerd", "/var/run/crio", "/proc", "/sys", "/var/lib/kubelet", "/root"}

func checkHostPath(m Meta, w *Workload) []Finding {
	var out []Finding
	for _, v := range w.Pod.Volumes {
		if !v.IsHost {
			continue
		}
		f := m.finding(w.Key, v.Path+"/hostPath", "volume %q mounts host path %q", v.Name, v.HostPath)
		for _, p := range sensitiveHostPaths {
			if strings.TrimSuffix(v.HostPath, "/") == strings.TrimSuffix(p, "/") || v.HostPath == p {
				f.Severity = 9
			}
		}
		out = append(out, f)
	}
	return out
}

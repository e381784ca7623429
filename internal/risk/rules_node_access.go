package risk

// Settings that give a container the node itself, beyond privileged: a
// Windows HostProcess container runs as a process of the node, and an
// unmasked /proc exposes the node's kernel interfaces that the runtime
// otherwise hides. A bare Pod has no controller to recreate it.

func init() {
	register(
		containerRule{Meta{"host-process", "privileged", 9}, checkHostProcess},
		containerRule{Meta{"unmasked-proc", "privileged", 8}, checkProcMount},
		podRule{Meta{"bare-pod", "replicas", 4}, checkBarePod},
	)
}

func checkHostProcess(m Meta, w *Workload, c Container) []Finding {
	if !c.HostProcess && !w.Pod.HostProcess {
		return nil
	}
	path := c.Path + "/securityContext/windowsOptions/hostProcess"
	if !c.HostProcess {
		path = w.Pod.Path + "/securityContext/windowsOptions/hostProcess"
	}
	return []Finding{m.finding(w.Key, path, "container %q runs as a Windows HostProcess: it has full access to the node", c.Name)}
}

func checkProcMount(m Meta, w *Workload, c Container) []Finding {
	if c.ProcMount == "" || c.ProcMount == "Default" {
		return nil
	}
	return []Finding{m.finding(w.Key, c.Path+"/securityContext/procMount", "container %q sees the node's unmasked /proc", c.Name)}
}

// checkBarePod flags a Pod that no controller owns: nothing recreates it
// when its node fails or is drained. Pods a controller made (seen in live
// dumps) carry an owner reference and are left alone.
func checkBarePod(m Meta, w *Workload) []Finding {
	if w.Kind != "Pod" || len(w.Obj.GetOwnerReferences()) > 0 {
		return nil
	}
	return []Finding{m.finding(w.Key, "/kind", "%s is a bare Pod: nothing recreates it when its node fails or is drained (use a Deployment)", w.Key)}
}

package clusterstate

import (
	corev1 "k8s.io/api/core/v1"
)

// PodRequests returns the effective requests of a pod spec the way the
// scheduler counts them: max(Σ containers + Σ sidecars, each init container
// plus the sidecars started before it) + overhead, with limits standing in
// for unset requests.
func PodRequests(spec *corev1.PodSpec) corev1.ResourceList {
	sum := corev1.ResourceList{}
	for i := range spec.Containers {
		addTo(sum, ContainerRequests(&spec.Containers[i]))
	}
	sidecars := corev1.ResourceList{}
	initMax := corev1.ResourceList{}
	for i := range spec.InitContainers {
		c := &spec.InitContainers[i]
		r := ContainerRequests(c)
		if c.RestartPolicy != nil && *c.RestartPolicy == corev1.ContainerRestartPolicyAlways {
			addTo(sidecars, r)
			continue
		}
		// A regular init container runs next to the sidecars started
		// before it.
		withSidecars := r.DeepCopy()
		addTo(withSidecars, sidecars)
		maxInto(initMax, withSidecars)
	}
	addTo(sum, sidecars)
	maxInto(sum, initMax)
	addTo(sum, spec.Overhead)
	return sum
}

// ContainerRequests returns a container's requests, taking the limit for
// each resource whose request is unset (the API server defaults it so).
func ContainerRequests(c *corev1.Container) corev1.ResourceList {
	out := corev1.ResourceList{}
	for name, q := range c.Resources.Limits {
		out[name] = q.DeepCopy()
	}
	for name, q := range c.Resources.Requests {
		out[name] = q.DeepCopy()
	}
	return out
}

func addTo(dst, src corev1.ResourceList) {
	for name, q := range src {
		cur := dst[name]
		cur.Add(q)
		dst[name] = cur
	}
}

func maxInto(dst, src corev1.ResourceList) {
	for name, q := range src {
		if cur, ok := dst[name]; !ok || q.Cmp(cur) > 0 {
			dst[name] = q.DeepCopy()
		}
	}
}

// requestsByNode sums the requests of running or pending pods per node.
func requestsByNode(pods []corev1.Pod) map[string]corev1.ResourceList {
	out := map[string]corev1.ResourceList{}
	for i := range pods {
		p := &pods[i]
		if p.Spec.NodeName == "" || p.Status.Phase == corev1.PodSucceeded || p.Status.Phase == corev1.PodFailed {
			continue
		}
		r, ok := out[p.Spec.NodeName]
		if !ok {
			r = corev1.ResourceList{}
			out[p.Spec.NodeName] = r
		}
		addTo(r, PodRequests(&p.Spec))
	}
	return out
}

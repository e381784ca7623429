package render

import (
	corev1 "k8s.io/api/core/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
)

// PodSecurityLevel is the Pod Security Standard the rendered namespace
// enforces: every pod template Render writes meets "restricted" (non-root,
// no privilege escalation, all capabilities dropped, RuntimeDefault
// seccomp), so the namespace can refuse anything weaker.
const PodSecurityLevel = "restricted"

// Namespace is the namespace the rendered objects live in, so that
// `capsule render -n NAME | kubectl apply -f -` works on a fresh cluster.
// It enforces, audits and warns at the restricted Pod Security Standard;
// the version label pins "latest" as Kubernetes documents for new
// namespaces. It goes first in a stream: kubectl applies in order.
func Namespace(name string) Object {
	labels := map[string]string{LabelManagedBy: "capsule"}
	for _, mode := range []string{"enforce", "audit", "warn"} {
		labels["pod-security.kubernetes.io/"+mode] = PodSecurityLevel
		labels["pod-security.kubernetes.io/"+mode+"-version"] = "latest"
	}
	return &corev1.Namespace{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Namespace"},
		ObjectMeta: metav1.ObjectMeta{Name: name, Labels: labels},
	}
}

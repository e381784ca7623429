package render

import (
	"github.com/usecapsule/capsule/internal/servicespec"
	corev1 "k8s.io/api/core/v1"
	networkingv1 "k8s.io/api/networking/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

// AnnotationClusterIssuer asks cert-manager for a certificate.
const AnnotationClusterIssuer = "cert-manager.io/cluster-issuer"

func (r *renderer) headlessName() string { return r.spec.Name + "-headless" }

// services returns the Service (and the headless or preview Service).
func (r *renderer) services() []Object {
	if !r.serves() {
		if r.spec.Storage != nil {
			return []Object{r.service(r.headlessName(), r.selector(), true)}
		}
		return nil
	}
	s := r.spec
	switch {
	case s.Storage != nil:
		return []Object{r.service(s.Name, r.selector(), false), r.service(r.headlessName(), r.selector(), true)}
	case s.Deploy.Strategy == servicespec.StrategyBlueGreen:
		idle := "green"
		if r.opts.Slot == "green" {
			idle = "blue"
		}
		return []Object{
			r.service(s.Name, with(r.selector(), LabelSlot, r.opts.Slot), false),
			r.service(s.Name+"-preview", with(r.selector(), LabelSlot, idle), false),
		}
	}
	return []Object{r.service(s.Name, r.selector(), false)}
}

func (r *renderer) service(name string, selector map[string]string, headless bool) Object {
	svc := &corev1.Service{
		TypeMeta:   metav1.TypeMeta{APIVersion: "v1", Kind: "Service"},
		ObjectMeta: r.meta(name),
		Spec: corev1.ServiceSpec{
			Type:     corev1.ServiceTypeClusterIP,
			Selector: selector,
		},
	}
	if r.spec.Port > 0 {
		svc.Spec.Ports = []corev1.ServicePort{{Name: "http", Port: 80, TargetPort: intstr.FromString("http"), Protocol: corev1.ProtocolTCP}}
	}
	if headless {
		svc.Spec.ClusterIP = corev1.ClusterIPNone
		svc.Spec.PublishNotReadyAddresses = true
		if r.spec.Port == 0 {
			// A headless Service without ports still gives each pod a DNS name.
			svc.Spec.Ports = nil
		}
	}
	return svc
}

// ingress exposes the Service on the host; nil without a host.
func (r *renderer) ingress() Object {
	in := r.spec.Ingress
	if in.Host == "" || !r.serves() {
		return nil
	}
	pathType := networkingv1.PathTypePrefix
	ing := &networkingv1.Ingress{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "Ingress"},
		ObjectMeta: r.meta(r.spec.Name),
		Spec: networkingv1.IngressSpec{
			Rules: []networkingv1.IngressRule{{
				Host: in.Host,
				IngressRuleValue: networkingv1.IngressRuleValue{HTTP: &networkingv1.HTTPIngressRuleValue{Paths: []networkingv1.HTTPIngressPath{{
					Path:     in.Path,
					PathType: &pathType,
					Backend:  networkingv1.IngressBackend{Service: &networkingv1.IngressServiceBackend{Name: r.spec.Name, Port: networkingv1.ServiceBackendPort{Name: "http"}}},
				}}}},
			}},
		},
	}
	if in.ClassName != "" {
		ing.Spec.IngressClassName = ptr(in.ClassName)
	}
	if in.Issuer != "" {
		ing.Annotations = map[string]string{AnnotationClusterIssuer: in.Issuer}
	}
	if in.TLS {
		ing.Spec.TLS = []networkingv1.IngressTLS{{Hosts: []string{in.Host}, SecretName: r.spec.Name + "-tls"}}
	}
	return ing
}

// networkPolicy admits traffic to the service port from the ingress
// controller and from the same application; nothing for workers.
func (r *renderer) networkPolicy() Object {
	np := &networkingv1.NetworkPolicy{
		TypeMeta:   metav1.TypeMeta{APIVersion: "networking.k8s.io/v1", Kind: "NetworkPolicy"},
		ObjectMeta: r.meta(r.spec.Name),
		Spec: networkingv1.NetworkPolicySpec{
			PodSelector: metav1.LabelSelector{MatchLabels: r.selector()},
			PolicyTypes: []networkingv1.PolicyType{networkingv1.PolicyTypeIngress},
			Ingress:     []networkingv1.NetworkPolicyIngressRule{},
		},
	}
	if !r.serves() || r.spec.Port == 0 {
		return np
	}
	port := intstr.FromInt32(int32(r.spec.Port))
	tcp := corev1.ProtocolTCP
	np.Spec.Ingress = []networkingv1.NetworkPolicyIngressRule{{
		Ports: []networkingv1.NetworkPolicyPort{{Protocol: &tcp, Port: &port}},
		From: []networkingv1.NetworkPolicyPeer{
			{NamespaceSelector: &metav1.LabelSelector{MatchLabels: map[string]string{"kubernetes.io/metadata.name": r.opts.IngressNamespace}}},
			{PodSelector: &metav1.LabelSelector{MatchLabels: map[string]string{LabelPartOf: r.partOf}}},
		},
	}}
	return np
}

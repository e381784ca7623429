package risk

import "strings"

// Exposure: what the change opens beyond the cluster network. A NodePort
// opens the port on every node; a LoadBalancer asks the cloud for an
// address, public unless an internal annotation says otherwise; an SSH port
// on a container or a Service is a shell reachable over the network.
// Host ports are the host-port rule's.

func init() {
	register(
		setRule{Meta{"service-node-port", "exposure", 4}, checkNodePorts},
		setRule{Meta{"service-load-balancer", "exposure", 3}, checkLoadBalancers},
		setRule{Meta{"ssh-port", "exposure", 5}, checkSSHPort},
		setRule{Meta{"ingress-without-tls", "exposure", 3}, checkIngressTLS},
	)
}

func checkNodePorts(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, svc := range ctx.Set.OfKind("Service") {
		if stringAt(svc.Object, "spec", "type") != "NodePort" {
			continue
		}
		out = append(out, m.finding(Key(svc), "/spec/type", "%s is a NodePort: its ports are open on every node of the cluster, to whatever can reach the nodes", Key(svc)))
	}
	return out
}

// internalLBAnnotations make a cloud load balancer private to the VPC:
// the annotation and the value that means internal ("" for any value but
// "false").
var internalLBAnnotations = [...]struct{ key, value string }{
	{"service.beta.kubernetes.io/aws-load-balancer-internal", ""},
	{"service.beta.kubernetes.io/aws-load-balancer-scheme", "internal"},
	{"networking.gke.io/load-balancer-type", "Internal"},
	{"cloud.google.com/load-balancer-type", "Internal"},
	{"service.beta.kubernetes.io/azure-load-balancer-internal", "true"},
	{"service.beta.kubernetes.io/oci-load-balancer-internal", "true"},
	{"service.beta.kubernetes.io/openstack-internal-load-balancer", "true"},
	{"service.kubernetes.io/ibm-load-balancer-cloud-provider-ip-type", "private"},
	{"service.beta.kubernetes.io/alibaba-cloud-loadbalancer-address-type", "intranet"},
}

// checkLoadBalancers reports a LoadBalancer Service (3): often intended,
// but a new public address is what a reviewer must see. Internal load
// balancers and those limited by loadBalancerSourceRanges are 1.
func checkLoadBalancers(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, svc := range ctx.Set.OfKind("Service") {
		if stringAt(svc.Object, "spec", "type") != "LoadBalancer" {
			continue
		}
		f := m.finding(Key(svc), "/spec/type", "%s is a LoadBalancer: the cloud gives it an address outside the cluster, public unless made internal", Key(svc))
		if internalLB(svc.GetAnnotations()) {
			f.Severity, f.Message = 1, Key(svc)+" is an internal LoadBalancer: reachable from the cloud network outside the cluster"
		} else if len(sliceAt(svc.Object, "spec", "loadBalancerSourceRanges")) > 0 {
			f.Severity, f.Message = 1, Key(svc)+" is a LoadBalancer limited to its loadBalancerSourceRanges"
		}
		out = append(out, f)
	}
	return out
}

func internalLB(ann map[string]string) bool {
	for _, a := range internalLBAnnotations {
		v, ok := ann[a.key]
		if ok && (a.value == "" && v != "false" || strings.EqualFold(v, a.value)) {
			return true
		}
	}
	return false
}

// sshPort reports whether a port is an SSH server's: 22 over TCP, or a
// port named ssh. A Service also counts the common alternative 2222
// (Kubescape's reading); a container declaring 2222 is not assumed to run
// SSH (kube-linter's): plenty of other servers listen there.
func sshPort(port map[string]any, numberKey string, alt bool) bool {
	if protocol(port) != "TCP" {
		return false
	}
	if n, ok := toInt(port[numberKey]); ok && (n == 22 || alt && n == 2222) {
		return true
	}
	return stringAt(port, "name") == "ssh"
}

// checkSSHPort flags containers that declare an SSH port and Services that
// expose one (port or targetPort) to the pods they select.
func checkSSHPort(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, w := range ctx.Set.Workloads {
		for _, c := range w.Pod.AllContainers() {
			for i, p := range sliceAt(c.raw, "ports") {
				if pm, _ := p.(map[string]any); sshPort(pm, "containerPort", false) {
					out = append(out, m.finding(w.Key, c.Path+"/ports/"+itoa(int64(i)), "container %q exposes an SSH port (%v): a remote shell into the pod, outside Kubernetes' access control and audit", c.Name, pm["containerPort"]))
				}
			}
		}
	}
	for _, svc := range ctx.Set.OfKind("Service") {
		for i, p := range sliceAt(svc.Object, "spec", "ports") {
			pm, _ := p.(map[string]any)
			if sshPort(pm, "port", true) || sshPort(pm, "targetPort", true) {
				out = append(out, m.finding(Key(svc), "/spec/ports/"+itoa(int64(i)), "%s exposes an SSH port (%v): a remote shell into its pods, outside Kubernetes' access control and audit", Key(svc), pm["port"]))
			}
		}
	}
	return out
}

// edgeTLSAnnotations terminate TLS at a cloud load balancer in front of the
// Ingress, which then needs no tls section.
var edgeTLSAnnotations = []string{
	"alb.ingress.kubernetes.io/certificate-arn",
	"service.beta.kubernetes.io/aws-load-balancer-ssl-cert",
	"networking.gke.io/pre-shared-certs",
	"networking.gke.io/managed-certificates",
	"ingress.gcp.kubernetes.io/pre-shared-cert",
	"appgw.ingress.kubernetes.io/appgw-ssl-certificate",
}

// checkIngressTLS flags an Ingress with no tls section (and no certificate
// given to the cloud load balancer in front of it): it serves plain HTTP.
func checkIngressTLS(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, ing := range ctx.Set.OfKind("Ingress") {
		if len(sliceAt(ing.Object, "spec", "tls")) > 0 {
			continue
		}
		ann := ing.GetAnnotations()
		edge := false
		for _, a := range edgeTLSAnnotations {
			edge = edge || ann[a] != ""
		}
		if edge {
			continue
		}
		out = append(out, m.finding(Key(ing), "/spec/tls", "%s has no TLS section: it serves plain HTTP", Key(ing)))
	}
	return out
}

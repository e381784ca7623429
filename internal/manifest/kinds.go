package manifest

import (
	"fmt"
	"sort"
	"strings"

	"k8s.io/apimachinery/pkg/runtime/schema"
)

// builtinKinds lists the kinds the Kubernetes API server serves in each
// built-in API group (all versions together; which versions are removed is
// the risk engine's deprecated-api check). A kind in one of these groups that
// is not listed is a typo or a wrong apiVersion, such as "apiVersion: v1,
// kind: Deployment", and is reported as unknown. Kinds in other groups are
// custom resources and are accepted.
var builtinKinds = map[string][]string{
	"": {"Binding", "ComponentStatus", "ConfigMap", "Endpoints", "Event", "LimitRange", "List", "Namespace", "Node",
		"PersistentVolume", "PersistentVolumeClaim", "Pod", "PodTemplate", "ReplicationController", "ResourceQuota",
		"Secret", "Service", "ServiceAccount"},
	"apps":                         {"ControllerRevision", "DaemonSet", "Deployment", "ReplicaSet", "StatefulSet"},
	"batch":                        {"CronJob", "Job"},
	"autoscaling":                  {"HorizontalPodAutoscaler", "Scale"},
	"policy":                       {"Eviction", "PodDisruptionBudget", "PodSecurityPolicy"},
	"networking.k8s.io":            {"Ingress", "IngressClass", "NetworkPolicy", "IPAddress", "ServiceCIDR"},
	"rbac.authorization.k8s.io":    {"ClusterRole", "ClusterRoleBinding", "Role", "RoleBinding"},
	"storage.k8s.io":               {"CSIDriver", "CSINode", "CSIStorageCapacity", "StorageClass", "VolumeAttachment", "VolumeAttributesClass"},
	"scheduling.k8s.io":            {"PriorityClass"},
	"coordination.k8s.io":          {"Lease", "LeaseCandidate"},
	"discovery.k8s.io":             {"EndpointSlice"},
	"node.k8s.io":                  {"RuntimeClass"},
	"certificates.k8s.io":          {"CertificateSigningRequest", "ClusterTrustBundle", "PodCertificateRequest"},
	"apiextensions.k8s.io":         {"CustomResourceDefinition"},
	"apiregistration.k8s.io":       {"APIService"},
	"admissionregistration.k8s.io": {"MutatingWebhookConfiguration", "ValidatingWebhookConfiguration", "ValidatingAdmissionPolicy", "ValidatingAdmissionPolicyBinding", "MutatingAdmissionPolicy", "MutatingAdmissionPolicyBinding"},
	"events.k8s.io":                {"Event"},
	"flowcontrol.apiserver.k8s.io": {"FlowSchema", "PriorityLevelConfiguration"},
	"resource.k8s.io":              {"DeviceClass", "DeviceTaintRule", "ResourceClaim", "ResourceClaimTemplate", "ResourceSlice"},
	"extensions":                   {"DaemonSet", "Deployment", "Ingress", "NetworkPolicy", "PodSecurityPolicy", "ReplicaSet"},
}

// kindIndex is builtinKinds as a set per group.
var kindIndex = func() map[string]map[string]bool {
	out := make(map[string]map[string]bool, len(builtinKinds))
	for g, kinds := range builtinKinds {
		out[g] = make(map[string]bool, len(kinds))
		for _, k := range kinds {
			out[g][k] = true
		}
	}
	return out
}()

// Unserved returns why the API server would reject an object of kind under
// apiVersion (a kind its built-in API group does not serve, such as
// "apiVersion: v1, kind: Deployment", or a typo), or nil. The loader keeps
// such objects instead of failing: one wrong object must not stop a preview
// from judging the rest, and the risk engine reports it on the object.
func Unserved(apiVersion, kind string) error {
	gv, err := schema.ParseGroupVersion(apiVersion)
	if err != nil {
		return nil // the loader has already rejected a malformed apiVersion
	}
	return checkKind(gv.Group, kind)
}

// checkKind rejects a kind that a built-in API group does not serve, and
// suggests the group that does.
func checkKind(group, kind string) error {
	known, builtin := kindIndex[group]
	if !builtin || known[kind] {
		return nil
	}
	var groups []string
	for g, kinds := range kindIndex {
		if kinds[kind] && g != "extensions" {
			if g == "" {
				g = "v1 (core)"
			}
			groups = append(groups, g)
		}
	}
	sort.Strings(groups)
	g := group
	if g == "" {
		g = "core"
	}
	if len(groups) > 0 {
		return fmt.Errorf("%w: kind %s is not served by the %s API group; it belongs to %s", ErrUnknownKind, kind, g, strings.Join(groups, ", "))
	}
	return fmt.Errorf("%w: kind %s is not served by the %s API group", ErrUnknownKind, kind, g)
}

// movedKinds maps "group/Kind" of a legacy API group to the group that
// serves the same objects today.
var movedKinds = map[string]string{
	"extensions/Deployment":        "apps",
	"extensions/DaemonSet":         "apps",
	"extensions/ReplicaSet":        "apps",
	"extensions/Ingress":           "networking.k8s.io",
	"extensions/NetworkPolicy":     "networking.k8s.io",
	"extensions/PodSecurityPolicy": "policy",
	"events.k8s.io/Event":          "",
}

// CanonicalGroup returns the API group that serves kind today when group is
// a legacy alias of it, else group unchanged.
func CanonicalGroup(group, kind string) string {
	if g, ok := movedKinds[group+"/"+kind]; ok {
		return g
	}
	return group
}

// clusterScoped lists the built-in cluster-scoped kinds by "group/Kind".
var clusterScoped = map[string]bool{
	"/Namespace": true, "/Node": true, "/PersistentVolume": true, "/ComponentStatus": true,
	"rbac.authorization.k8s.io/ClusterRole": true, "rbac.authorization.k8s.io/ClusterRoleBinding": true,
	"storage.k8s.io/StorageClass": true, "storage.k8s.io/CSIDriver": true, "storage.k8s.io/CSINode": true,
	"storage.k8s.io/VolumeAttachment": true, "storage.k8s.io/VolumeAttributesClass": true,
	"scheduling.k8s.io/PriorityClass": true, "node.k8s.io/RuntimeClass": true,
	"networking.k8s.io/IngressClass": true, "networking.k8s.io/IPAddress": true, "networking.k8s.io/ServiceCIDR": true,
	"apiextensions.k8s.io/CustomResourceDefinition": true, "apiregistration.k8s.io/APIService": true,
	"admissionregistration.k8s.io/MutatingWebhookConfiguration":     true,
	"admissionregistration.k8s.io/ValidatingWebhookConfiguration":   true,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicy":        true,
	"admissionregistration.k8s.io/ValidatingAdmissionPolicyBinding": true,
	"admissionregistration.k8s.io/MutatingAdmissionPolicy":          true,
	"admissionregistration.k8s.io/MutatingAdmissionPolicyBinding":   true,
	"policy/PodSecurityPolicy":                                      true, "certificates.k8s.io/CertificateSigningRequest": true,
	"certificates.k8s.io/ClusterTrustBundle": true, "flowcontrol.apiserver.k8s.io/FlowSchema": true,
	"flowcontrol.apiserver.k8s.io/PriorityLevelConfiguration": true,
	"resource.k8s.io/DeviceClass":                             true, "resource.k8s.io/ResourceSlice": true,
}

// ClusterScoped reports whether a built-in kind (group already canonical)
// has no namespace. Custom resources are not known and report false.
func ClusterScoped(group, kind string) bool { return clusterScoped[group+"/"+kind] }

// BuiltinGroup reports whether group is served by the API server itself
// (core, apps, batch...), as opposed to a custom resource's group.
func BuiltinGroup(group string) bool {
	_, ok := kindIndex[group]
	return ok
}

package risk

import "fmt"

// Deprecated and removed API versions, checked against the target version.

func init() {
	register(setRule{Meta{"deprecated-api", "deprecated-api", 4}, checkDeprecated})
}

// apiLifecycle is when an apiVersion of a kind was deprecated and removed
// (Kubernetes deprecated API migration guide); replacement is what to use.
type apiLifecycle struct {
	deprecated  Version
	removed     Version // zero: not scheduled for removal
	replacement string
}

func v(minor int) Version { return Version{1, minor} }

// deprecatedAPIs is keyed by "apiVersion/Kind".
var deprecatedAPIs = map[string]apiLifecycle{
	"extensions/v1beta1/Deployment":                                       {v(9), v(16), "apps/v1"},
	"extensions/v1beta1/DaemonSet":                                        {v(9), v(16), "apps/v1"},
	"extensions/v1beta1/ReplicaSet":                                       {v(9), v(16), "apps/v1"},
	"extensions/v1beta1/NetworkPolicy":                                    {v(9), v(16), "networking.k8s.io/v1"},
	"extensions/v1beta1/PodSecurityPolicy":                                {v(10), v(16), "policy/v1beta1 (itself removed in 1.25)"},
	"extensions/v1beta1/Ingress":                                          {v(14), v(22), "networking.k8s.io/v1"},
	"apps/v1beta1/Deployment":                                             {v(9), v(16), "apps/v1"},
	"apps/v1beta1/StatefulSet":                                            {v(9), v(16), "apps/v1"},
	"apps/v1beta1/ReplicaSet":                                             {v(9), v(16), "apps/v1"},
	"apps/v1beta2/Deployment":                                             {v(9), v(16), "apps/v1"},
	"apps/v1beta2/StatefulSet":                                            {v(9), v(16), "apps/v1"},
	"apps/v1beta2/DaemonSet":                                              {v(9), v(16), "apps/v1"},
	"apps/v1beta2/ReplicaSet":                                             {v(9), v(16), "apps/v1"},
	"networking.k8s.io/v1beta1/Ingress":                                   {v(19), v(22), "networking.k8s.io/v1"},
	"networking.k8s.io/v1beta1/IngressClass":                              {v(19), v(22), "networking.k8s.io/v1"},
	"rbac.authorization.k8s.io/v1beta1/Role":                              {v(17), v(22), "rbac.authorization.k8s.io/v1"},
	"rbac.authorization.k8s.io/v1beta1/ClusterRole":                       {v(17), v(22), "rbac.authorization.k8s.io/v1"},
	"rbac.authorization.k8s.io/v1beta1/RoleBinding":                       {v(17), v(22), "rbac.authorization.k8s.io/v1"},
	"rbac.authorization.k8s.io/v1beta1/ClusterRoleBinding":                {v(17), v(22), "rbac.authorization.k8s.io/v1"},
	"admissionregistration.k8s.io/v1beta1/MutatingWebhookConfiguration":   {v(16), v(22), "admissionregistration.k8s.io/v1"},
	"admissionregistration.k8s.io/v1beta1/ValidatingWebhookConfiguration": {v(16), v(22), "admissionregistration.k8s.io/v1"},
	"apiextensions.k8s.io/v1beta1/CustomResourceDefinition":               {v(16), v(22), "apiextensions.k8s.io/v1"},
	"apiregistration.k8s.io/v1beta1/APIService":                           {v(19), v(22), "apiregistration.k8s.io/v1"},
	"certificates.k8s.io/v1beta1/CertificateSigningRequest":               {v(19), v(22), "certificates.k8s.io/v1"},
	"coordination.k8s.io/v1beta1/Lease":                                   {v(19), v(22), "coordination.k8s.io/v1"},
	"scheduling.k8s.io/v1beta1/PriorityClass":                             {v(14), v(22), "scheduling.k8s.io/v1"},
	"storage.k8s.io/v1beta1/StorageClass":                                 {v(19), v(22), "storage.k8s.io/v1"},
	"storage.k8s.io/v1beta1/VolumeAttachment":                             {v(19), v(22), "storage.k8s.io/v1"},
	"storage.k8s.io/v1beta1/CSIDriver":                                    {v(19), v(22), "storage.k8s.io/v1"},
	"storage.k8s.io/v1beta1/CSINode":                                      {v(17), v(22), "storage.k8s.io/v1"},
	"storage.k8s.io/v1beta1/CSIStorageCapacity":                           {v(24), v(27), "storage.k8s.io/v1"},
	"policy/v1beta1/PodDisruptionBudget":                                  {v(21), v(25), "policy/v1"},
	"policy/v1beta1/PodSecurityPolicy":                                    {v(21), v(25), "Pod Security Admission"},
	"batch/v1beta1/CronJob":                                               {v(21), v(25), "batch/v1"},
	"discovery.k8s.io/v1beta1/EndpointSlice":                              {v(21), v(25), "discovery.k8s.io/v1"},
	"events.k8s.io/v1beta1/Event":                                         {v(19), v(25), "events.k8s.io/v1"},
	"node.k8s.io/v1beta1/RuntimeClass":                                    {v(20), v(25), "node.k8s.io/v1"},
	"autoscaling/v2beta1/HorizontalPodAutoscaler":                         {v(22), v(25), "autoscaling/v2"},
	"autoscaling/v2beta2/HorizontalPodAutoscaler":                         {v(23), v(26), "autoscaling/v2"},
	"flowcontrol.apiserver.k8s.io/v1beta1/FlowSchema":                     {v(23), v(26), "flowcontrol.apiserver.k8s.io/v1"},
	"flowcontrol.apiserver.k8s.io/v1beta1/PriorityLevelConfiguration":     {v(23), v(26), "flowcontrol.apiserver.k8s.io/v1"},
	"flowcontrol.apiserver.k8s.io/v1beta2/FlowSchema":                     {v(26), v(29), "flowcontrol.apiserver.k8s.io/v1"},
	"flowcontrol.apiserver.k8s.io/v1beta2/PriorityLevelConfiguration":     {v(26), v(29), "flowcontrol.apiserver.k8s.io/v1"},
	"flowcontrol.apiserver.k8s.io/v1beta3/FlowSchema":                     {v(29), v(32), "flowcontrol.apiserver.k8s.io/v1"},
	"flowcontrol.apiserver.k8s.io/v1beta3/PriorityLevelConfiguration":     {v(29), v(32), "flowcontrol.apiserver.k8s.io/v1"},
	"v1/Endpoints": {v(33), Version{}, "discovery.k8s.io/v1 EndpointSlice"},
}

// checkDeprecated: an API the target no longer serves fails to apply (8);
// one removed within two minor versions after the target is 5; one only
// deprecated is 4.
func checkDeprecated(m Meta, ctx *Context) []Finding {
	var out []Finding
	for _, o := range ctx.Set.Objects {
		lc, ok := deprecatedAPIs[o.GetAPIVersion()+"/"+o.GetKind()]
		if !ok || !ctx.Version.AtLeast(lc.deprecated) {
			continue
		}
		f := m.finding(Key(o), "/apiVersion", "%s uses %s, deprecated since %s", Key(o), o.GetAPIVersion(), lc.deprecated)
		switch {
		case lc.removed.Major > 0 && ctx.Version.AtLeast(lc.removed):
			f.Severity = 8
			f.Message = fmt.Sprintf("%s uses %s, removed in Kubernetes %s: the target (%s) rejects it; use %s", Key(o), o.GetAPIVersion(), lc.removed, ctx.Version, lc.replacement)
		case lc.removed.Major > 0 && Version{ctx.Version.Major, ctx.Version.Minor + 2}.AtLeast(lc.removed):
			f.Severity = 5
			f.Message += fmt.Sprintf(" and removed in %s; use %s", lc.removed, lc.replacement)
		default:
			f.Message += "; use " + lc.replacement
		}
		out = append(out, f)
	}
	return out
}

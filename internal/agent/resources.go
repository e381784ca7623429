package agent

import (
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/discovery"
)

// resource is one kind the agent watches.
type resource struct {
	Kind string
	GVR  schema.GroupVersionResource
	// Optional kinds are watched only when the cluster serves them (Argo
	// Rollouts); the others are Kubernetes' own and always served.
	Optional bool
}

// watched is every kind the agent mirrors, in the order their informers
// start. Kinds are unique: the control plane keys objects by kind, so two
// API groups must not share one.
var watched = []resource{
	{Kind: "Namespace", GVR: schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}},
	{Kind: "Node", GVR: schema.GroupVersionResource{Version: "v1", Resource: "nodes"}},
	{Kind: "Pod", GVR: schema.GroupVersionResource{Version: "v1", Resource: "pods"}},
	{Kind: "Service", GVR: schema.GroupVersionResource{Version: "v1", Resource: "services"}},
	{Kind: "ResourceQuota", GVR: schema.GroupVersionResource{Version: "v1", Resource: "resourcequotas"}},
	{Kind: "LimitRange", GVR: schema.GroupVersionResource{Version: "v1", Resource: "limitranges"}},
	{Kind: "PersistentVolumeClaim", GVR: schema.GroupVersionResource{Version: "v1", Resource: "persistentvolumeclaims"}},
	{Kind: "ConfigMap", GVR: schema.GroupVersionResource{Version: "v1", Resource: "configmaps"}},
	{Kind: "Secret", GVR: schema.GroupVersionResource{Version: "v1", Resource: "secrets"}},
	{Kind: "Deployment", GVR: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "deployments"}},
	{Kind: "StatefulSet", GVR: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "statefulsets"}},
	{Kind: "DaemonSet", GVR: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "daemonsets"}},
	{Kind: "ReplicaSet", GVR: schema.GroupVersionResource{Group: "apps", Version: "v1", Resource: "replicasets"}},
	{Kind: "Job", GVR: schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "jobs"}},
	{Kind: "CronJob", GVR: schema.GroupVersionResource{Group: "batch", Version: "v1", Resource: "cronjobs"}},
	{Kind: "Ingress", GVR: schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "ingresses"}},
	{Kind: "NetworkPolicy", GVR: schema.GroupVersionResource{Group: "networking.k8s.io", Version: "v1", Resource: "networkpolicies"}},
	{Kind: "HorizontalPodAutoscaler", GVR: schema.GroupVersionResource{Group: "autoscaling", Version: "v2", Resource: "horizontalpodautoscalers"}},
	{Kind: "PodDisruptionBudget", GVR: schema.GroupVersionResource{Group: "policy", Version: "v1", Resource: "poddisruptionbudgets"}},
	{Kind: "CustomResourceDefinition", GVR: schema.GroupVersionResource{Group: "apiextensions.k8s.io", Version: "v1", Resource: "customresourcedefinitions"}},
	{Kind: "Rollout", GVR: schema.GroupVersionResource{Group: "argoproj.io", Version: "v1alpha1", Resource: "rollouts"}, Optional: true},
}

// metricsGV is polled (it serves list, not watch) when the cluster serves it.
var metricsGV = schema.GroupVersion{Group: "metrics.k8s.io", Version: "v1beta1"}

// served reports whether the cluster serves resource r of group version gv.
func served(dc discovery.DiscoveryInterface, gv schema.GroupVersion, r string) bool {
	list, err := dc.ServerResourcesForGroupVersion(gv.String())
	if err != nil {
		return false
	}
	for _, ar := range list.APIResources {
		if ar.Name == r {
			return true
		}
	}
	return false
}

// available returns the watched resources the cluster serves.
func available(dc discovery.DiscoveryInterface) []resource {
	var out []resource
	for _, r := range watched {
		if r.Optional && !served(dc, r.GVR.GroupVersion(), r.GVR.Resource) {
			continue
		}
		out = append(out, r)
	}
	return out
}

package agent

import (
	"context"
	"fmt"

	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/rest"

	"github.com/usecapsule/capsule/internal/kube"
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

// WatchedKinds are the kinds the agent mirrors (the optional ones
// included): a kind not listed is never in a cluster's picture, so
// comparing a picture with what was applied leaves the others out.
func WatchedKinds() []string {
	out := make([]string, len(watched))
	for i, r := range watched {
		out[i] = r.Kind
	}
	return out
}

// apiServer answers the agent's discovery questions through kube's plain
// GETs on the (read-only) rest configuration: client-go's discovery client
// would link the typed clientset's scheme into every capsule command.
type apiServer struct {
	d *kube.Discovery
}

func newAPIServer(cfg *rest.Config) (*apiServer, error) {
	d, err := kube.NewDiscovery(cfg)
	if err != nil {
		return nil, err
	}
	return &apiServer{d: d}, nil
}

// version returns the API server's gitVersion.
func (s *apiServer) version(ctx context.Context) (string, error) {
	v, err := s.d.ServerVersion(ctx)
	if err != nil {
		return "", err
	}
	return v.GitVersion, nil
}

// served reports whether the cluster serves resource r of group version gv.
func (s *apiServer) served(ctx context.Context, gv schema.GroupVersion, r string) (bool, error) {
	list, found, err := s.d.Resources(ctx, gv)
	if err != nil || !found {
		return false, err
	}
	for _, ar := range list.APIResources {
		if ar.Name == r {
			return true, nil
		}
	}
	return false, nil
}

// available returns the watched resources the cluster serves.
func (s *apiServer) available(ctx context.Context) ([]resource, error) {
	var out []resource
	for _, r := range watched {
		if r.Optional {
			ok, err := s.served(ctx, r.GVR.GroupVersion(), r.GVR.Resource)
			if err != nil {
				return nil, fmt.Errorf("agent: is %s served: %w", r.GVR.GroupVersion(), err)
			}
			if !ok {
				continue
			}
		}
		out = append(out, r)
	}
	return out, nil
}

// usageKinds returns the metrics.k8s.io kinds the cluster serves.
func (s *apiServer) usageKinds(ctx context.Context) ([]resource, error) {
	var out []resource
	for _, r := range usageKinds {
		ok, err := s.served(ctx, r.GVR.GroupVersion(), r.GVR.Resource)
		if err != nil {
			// An aggregated API whose backend is down answers 503: the
			// agent runs without usage rather than not at all.
			continue
		}
		if ok {
			out = append(out, r)
		}
	}
	return out, nil
}

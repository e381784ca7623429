package kube

import (
	"context"
	"fmt"
	"strings"
	"sync"
	"time"

	"github.com/usecapsule/capsule"
	authorizationv1 "k8s.io/api/authorization/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// CheckTimeout bounds a whole access check.
const CheckTimeout = 30 * time.Second

// Permission is one thing a credential must be allowed to do, cluster-wide.
type Permission struct {
	Verb, Group, Resource, Subresource string
}

// String is how an answer names it: "create deployments", "get pods/log".
func (p Permission) String() string {
	r := p.Resource
	if p.Subresource != "" {
		r += "/" + p.Subresource
	}
	return p.Verb + " " + r
}

// DeployPermissions are what Capsule's deploy needs. They are checked
// cluster-wide, since a deploy creates the environment's namespace.
var DeployPermissions = func() []Permission {
	resources := []struct{ group, resource string }{
		{"", "namespaces"}, {"", "serviceaccounts"}, {"", "configmaps"}, {"", "secrets"},
		{"apps", "deployments"}, {"apps", "statefulsets"}, {"", "services"},
		{"networking.k8s.io", "ingresses"}, {"autoscaling", "horizontalpodautoscalers"},
		{"policy", "poddisruptionbudgets"}, {"networking.k8s.io", "networkpolicies"}, {"batch", "jobs"},
	}
	var out []Permission
	for _, r := range resources {
		for _, verb := range []string{"create", "patch", "get", "list", "watch", "delete"} {
			out = append(out, Permission{Verb: verb, Group: r.group, Resource: r.resource})
		}
	}
	return append(out, Permission{Verb: "get", Resource: "pods", Subresource: "log"},
		Permission{Verb: "list", Resource: "events"})
}()

// Report is what a passed check learned.
type Report struct {
	ServerVersion string
	CheckedAt     time.Time
}

// checkWorkers is how many access reviews are in flight at once.
const checkWorkers = 8

var ssarResource = schema.GroupVersionResource{Group: "authorization.k8s.io", Version: "v1", Resource: "selfsubjectaccessreviews"}

// Check connects to rc's cluster, reads its version and asks, with one
// SelfSubjectAccessReview each, whether the credential holds every
// DeployPermission. It returns CLUSTER_UNREACHABLE (naming the server and
// the reason), CLUSTER_CREDENTIAL_REJECTED, or CLUSTER_PERMISSIONS_MISSING
// whose details.missing lists exactly what is not allowed.
func Check(ctx context.Context, rc *rest.Config) (*Report, error) {
	ctx, cancel := context.WithTimeout(ctx, CheckTimeout)
	defer cancel()
	d, err := NewDiscovery(rc)
	if err != nil {
		return nil, unreachable(rc.Host, err)
	}
	v, err := d.ServerVersion(ctx)
	if err != nil {
		return nil, fromAPI(rc.Host, err)
	}
	dyn, err := dynamic.NewForConfig(rc)
	if err != nil {
		return nil, unreachable(rc.Host, err)
	}
	missing, err := missingPermissions(ctx, dyn, DeployPermissions)
	if err != nil {
		return nil, fromAPI(rc.Host, err)
	}
	if len(missing) > 0 {
		names := make([]string, len(missing))
		for i, p := range missing {
			names[i] = p.String()
		}
		return nil, &capsule.Error{Kind: capsule.KindInvalid, Code: capsule.CodeClusterPermissionsMissing,
			Message: fmt.Sprintf("the credential lacks %d of the %d permissions Capsule's deploy needs (cluster-wide): %s",
				len(missing), len(DeployPermissions), strings.Join(names, ", ")),
			Details: map[string]any{"missing": names, "server": redact(rc.Host)}}
	}
	return &Report{ServerVersion: v.GitVersion, CheckedAt: time.Now().UTC()}, nil
}

// missingPermissions returns the permissions the reviews deny, in the
// order of perms.
func missingPermissions(ctx context.Context, dyn dynamic.Interface, perms []Permission) ([]Permission, error) {
	allowed := make([]bool, len(perms))
	errs := make([]error, len(perms))
	next := make(chan int)
	var wg sync.WaitGroup
	for range checkWorkers {
		wg.Go(func() {
			for i := range next {
				allowed[i], errs[i] = review(ctx, dyn, perms[i])
			}
		})
	}
	for i := range perms {
		next <- i
	}
	close(next)
	wg.Wait()
	var out []Permission
	for i, p := range perms {
		if errs[i] != nil {
			return nil, errs[i]
		}
		if !allowed[i] {
			out = append(out, p)
		}
	}
	return out, nil
}

func review(ctx context.Context, dyn dynamic.Interface, p Permission) (bool, error) {
	ssar := &authorizationv1.SelfSubjectAccessReview{
		TypeMeta: metav1.TypeMeta{APIVersion: "authorization.k8s.io/v1", Kind: "SelfSubjectAccessReview"},
		Spec: authorizationv1.SelfSubjectAccessReviewSpec{ResourceAttributes: &authorizationv1.ResourceAttributes{
			Verb: p.Verb, Group: p.Group, Resource: p.Resource, Subresource: p.Subresource}},
	}
	obj, err := runtime.DefaultUnstructuredConverter.ToUnstructured(ssar)
	if err != nil {
		return false, err
	}
	res, err := dyn.Resource(ssarResource).Create(ctx, &unstructured.Unstructured{Object: obj}, metav1.CreateOptions{})
	if err != nil {
		return false, err
	}
	var out authorizationv1.SelfSubjectAccessReview
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(res.Object, &out); err != nil {
		return false, err
	}
	return out.Status.Allowed, nil
}

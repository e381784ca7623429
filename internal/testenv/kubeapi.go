package testenv

import (
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"

	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/apis/meta/v1/unstructured"
	"k8s.io/apimachinery/pkg/runtime"
	"k8s.io/apimachinery/pkg/runtime/schema"
	"k8s.io/client-go/dynamic"
	"k8s.io/client-go/rest"
)

// kubeClient is the little of the Kubernetes API that starting and probing
// a cluster needs, spoken through the dynamic client with the typed objects
// converted on the way. client-go's typed clientset would do the same, but
// importing it links every built-in API group into the capsule binary, and
// their registration runs at the start of every command, `capsule version`
// included; tests use the typed clientset through testenv/kubeclient.
type kubeClient struct {
	dyn  dynamic.Interface
	http *http.Client
	host string
}

func newKubeClient(cfg *rest.Config) (*kubeClient, error) {
	hc, err := rest.HTTPClientFor(cfg)
	if err != nil {
		return nil, err
	}
	dyn, err := dynamic.NewForConfigAndClient(cfg, hc)
	if err != nil {
		return nil, err
	}
	return &kubeClient{dyn: dyn, http: hc, host: strings.TrimSuffix(cfg.Host, "/")}, nil
}

// readyz returns the API server's /readyz body, or an error naming the
// status when it is not ready.
func (k *kubeClient) readyz(ctx context.Context) ([]byte, error) {
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, k.host+"/readyz", nil)
	if err != nil {
		return nil, err
	}
	resp, err := k.http.Do(req)
	if err != nil {
		return nil, err
	}
	defer resp.Body.Close()
	body, err := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	if err != nil {
		return nil, err
	}
	if resp.StatusCode != http.StatusOK {
		return body, fmt.Errorf("GET /readyz: %s: %s", resp.Status, strings.TrimSpace(string(body)))
	}
	return body, nil
}

func (k *kubeClient) CoreV1() coreV1 { return coreV1{k.dyn} }
func (k *kubeClient) RbacV1() rbacV1 { return rbacV1{k.dyn} }

type coreV1 struct{ dyn dynamic.Interface }

func (c coreV1) Nodes() kubeResource[corev1.Node, corev1.NodeList] {
	return newResource[corev1.Node, corev1.NodeList](c.dyn, "", "v1", "nodes", "Node", "")
}
func (c coreV1) Namespaces() kubeResource[corev1.Namespace, corev1.NamespaceList] {
	return newResource[corev1.Namespace, corev1.NamespaceList](c.dyn, "", "v1", "namespaces", "Namespace", "")
}
func (c coreV1) Pods(ns string) kubeResource[corev1.Pod, corev1.PodList] {
	return newResource[corev1.Pod, corev1.PodList](c.dyn, "", "v1", "pods", "Pod", ns)
}
func (c coreV1) ServiceAccounts(ns string) kubeResource[corev1.ServiceAccount, corev1.ServiceAccountList] {
	return newResource[corev1.ServiceAccount, corev1.ServiceAccountList](c.dyn, "", "v1", "serviceaccounts", "ServiceAccount", ns)
}

type rbacV1 struct{ dyn dynamic.Interface }

func (r rbacV1) ClusterRoles() kubeResource[rbacv1.ClusterRole, rbacv1.ClusterRoleList] {
	return newResource[rbacv1.ClusterRole, rbacv1.ClusterRoleList](r.dyn, "rbac.authorization.k8s.io", "v1", "clusterroles", "ClusterRole", "")
}
func (r rbacV1) ClusterRoleBindings() kubeResource[rbacv1.ClusterRoleBinding, rbacv1.ClusterRoleBindingList] {
	return newResource[rbacv1.ClusterRoleBinding, rbacv1.ClusterRoleBindingList](r.dyn, "rbac.authorization.k8s.io", "v1", "clusterrolebindings", "ClusterRoleBinding", "")
}

// kubeResource is one resource (in one namespace) with typed objects T and
// lists L, shaped like the typed clientset's so call sites read the same.
type kubeResource[T, L any] struct {
	ri  dynamic.ResourceInterface
	gvk schema.GroupVersionKind
}

func newResource[T, L any](dyn dynamic.Interface, group, version, resource, kind, ns string) kubeResource[T, L] {
	gvr := schema.GroupVersionResource{Group: group, Version: version, Resource: resource}
	var ri dynamic.ResourceInterface = dyn.Resource(gvr)
	if ns != "" {
		ri = dyn.Resource(gvr).Namespace(ns)
	}
	return kubeResource[T, L]{ri: ri, gvk: gvr.GroupVersion().WithKind(kind)}
}

func (r kubeResource[T, L]) Create(ctx context.Context, obj *T, opts metav1.CreateOptions) (*T, error) {
	m, err := runtime.DefaultUnstructuredConverter.ToUnstructured(obj)
	if err != nil {
		return nil, err
	}
	u := &unstructured.Unstructured{Object: m}
	u.SetGroupVersionKind(r.gvk)
	out, err := r.ri.Create(ctx, u, opts)
	if err != nil {
		return nil, err
	}
	return fromUnstructured[T](out.Object)
}

func (r kubeResource[T, L]) Get(ctx context.Context, name string, opts metav1.GetOptions) (*T, error) {
	out, err := r.ri.Get(ctx, name, opts)
	if err != nil {
		return nil, err
	}
	return fromUnstructured[T](out.Object)
}

func (r kubeResource[T, L]) List(ctx context.Context, opts metav1.ListOptions) (*L, error) {
	out, err := r.ri.List(ctx, opts)
	if err != nil {
		return nil, err
	}
	return fromUnstructured[L](out.UnstructuredContent())
}

func (r kubeResource[T, L]) Delete(ctx context.Context, name string, opts metav1.DeleteOptions) error {
	return r.ri.Delete(ctx, name, opts)
}

func fromUnstructured[T any](m map[string]any) (*T, error) {
	var v T
	if err := runtime.DefaultUnstructuredConverter.FromUnstructured(m, &v); err != nil {
		return nil, err
	}
	return &v, nil
}

package kube_test

import (
	"context"
	"encoding/base64"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
	"testing"

	"github.com/usecapsule/capsule"
	"github.com/usecapsule/capsule/internal/kube"
	"github.com/usecapsule/capsule/internal/testenv"
	"github.com/usecapsule/capsule/internal/testenv/kubeclient"
	authenticationv1 "k8s.io/api/authentication/v1"
	corev1 "k8s.io/api/core/v1"
	rbacv1 "k8s.io/api/rbac/v1"
	metav1 "k8s.io/apimachinery/pkg/apis/meta/v1"
	"k8s.io/apimachinery/pkg/runtime/schema"
)

// loopback is what the tests' --egress-allow would be: the simulated
// cluster listens on 127.0.0.1.
var loopback = netip.MustParsePrefix("127.0.0.1/32")

func kubeconfig(t *testing.T, path string) kube.Credential {
	t.Helper()
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	return kube.Credential{Kubeconfig: string(b)}
}

func codeOf(err error) (string, *capsule.Error) {
	var ce *capsule.Error
	if errors.As(err, &ce) {
		return ce.Code, ce
	}
	return "", nil
}

func TestCheckAdminPasses(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	rc, err := kube.RESTConfig(kubeconfig(t, c.Kubeconfig), loopback)
	if err != nil {
		t.Fatal(err)
	}
	rep, err := kube.Check(context.Background(), rc)
	if err != nil {
		t.Fatalf("Check as admin: %v", err)
	}
	if !strings.HasPrefix(rep.ServerVersion, "v1.") || rep.CheckedAt.IsZero() {
		t.Fatalf("report %+v", rep)
	}
}

// TestCheckNamesMissingPermissions: the read-only identity may get, list
// and watch everything, so exactly the writes are missing, each named.
func TestCheckNamesMissingPermissions(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	rc, err := kube.RESTConfig(kubeconfig(t, c.ReadOnlyKubeconfig), loopback)
	if err != nil {
		t.Fatal(err)
	}
	_, err = kube.Check(context.Background(), rc)
	code, ce := codeOf(err)
	if code != capsule.CodeClusterPermissionsMissing {
		t.Fatalf("Check as read-only = %v, want %s", err, capsule.CodeClusterPermissionsMissing)
	}
	var want []string
	for _, p := range kube.DeployPermissions {
		if p.Verb == "create" || p.Verb == "patch" || p.Verb == "delete" {
			want = append(want, p.String())
		}
	}
	got, _ := ce.Details["missing"].([]string)
	if !slices.Equal(got, want) {
		t.Fatalf("missing = %v\nwant      %v", got, want)
	}
	for _, name := range []string{"create namespaces", "patch deployments", "delete jobs"} {
		if !strings.Contains(ce.Message, name) {
			t.Errorf("message %q does not name %q", ce.Message, name)
		}
	}
}

func TestCheckRejectedToken(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	rc, err := kube.RESTConfig(kube.Credential{Server: c.Config.Host, CertificateAuthorityData: string(c.Config.CAData),
		Token: "not-a-token"}, loopback)
	if err != nil {
		t.Fatal(err)
	}
	_, err = kube.Check(context.Background(), rc)
	if code, _ := codeOf(err); code != capsule.CodeClusterCredentialRejected {
		t.Fatalf("Check with a bad token = %v, want %s", err, capsule.CodeClusterCredentialRejected)
	}
}

// TestCheckLoopbackNeedsAllow: without the allow list the dialer refuses
// the simulated cluster's loopback address, named through a host name so
// the refusal happens at dial time, after resolution.
func TestCheckLoopbackNeedsAllow(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	cred := kubeconfig(t, c.Kubeconfig)
	cred.Kubeconfig = strings.Replace(cred.Kubeconfig, "https://127.0.0.1:", "https://localhost:", 1)
	rc, err := kube.RESTConfig(cred)
	if err != nil {
		t.Fatal(err)
	}
	_, err = kube.Check(context.Background(), rc)
	code, ce := codeOf(err)
	if code != capsule.CodeClusterUnreachable || !strings.Contains(ce.Message, "loopback") || !strings.Contains(ce.Message, "https://localhost:") {
		t.Fatalf("Check of a loopback server without allow = %v", err)
	}
}

func TestCheckUnreachable(t *testing.T) {
	t.Parallel()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := l.Addr().String()
	l.Close() // nothing listens there now
	server := "https://" + addr
	rc, err := kube.RESTConfig(kube.Credential{Server: server, Token: "t"}, loopback)
	if err != nil {
		t.Fatal(err)
	}
	_, err = kube.Check(context.Background(), rc)
	code, ce := codeOf(err)
	if code != capsule.CodeClusterUnreachable || !strings.Contains(ce.Message, server) || !strings.Contains(ce.Message, "connection refused") {
		t.Fatalf("Check of a closed port = %v", err)
	}
}

// TestRESTConfigRefusesAddresses: metadata and link-local are refused even
// when allowed; loopback only without the allow list; private passes.
func TestRESTConfigRefusesAddresses(t *testing.T) {
	t.Parallel()
	all := []netip.Prefix{netip.MustParsePrefix("0.0.0.0/0")}
	for _, tc := range []struct {
		server string
		allow  []netip.Prefix
		refuse string
	}{
		{"https://169.254.169.254", all, "cloud metadata"},
		{"https://169.254.10.1:6443", all, "link-local"},
		{"https://[fe80::1]:6443", nil, "link-local"},
		{"https://127.0.0.1:6443", nil, "loopback"},
		{"https://127.0.0.1:6443", []netip.Prefix{loopback}, ""},
		{"https://10.0.0.5:6443", nil, ""},
		{"https://192.168.1.10:6443", nil, ""},
		{"http://10.0.0.5:6443", nil, "https://"},
		{"https://user:pw@10.0.0.5", nil, "without credentials"},
	} {
		_, err := kube.RESTConfig(kube.Credential{Server: tc.server, Token: "t"}, tc.allow...)
		switch {
		case tc.refuse == "" && err != nil:
			t.Errorf("%s: %v", tc.server, err)
		case tc.refuse != "" && (err == nil || !strings.Contains(err.Error(), "credential.server") || !strings.Contains(fmt.Sprint(errDetails(err)), tc.refuse)):
			t.Errorf("%s: %v, want a credential.server refusal naming %q", tc.server, err, tc.refuse)
		}
		if err != nil && strings.Contains(fmt.Sprint(errDetails(err)), "pw") {
			t.Errorf("%s: the message repeats the password: %v", tc.server, errDetails(err))
		}
	}
}

func errDetails(err error) any {
	if _, ce := codeOf(err); ce != nil {
		return ce.Details
	}
	return nil
}

func TestRESTConfigRefusesUnsafeKubeconfig(t *testing.T) {
	t.Parallel()
	const kc = `apiVersion: v1
kind: Config
clusters:
- name: c
  cluster: {server: "https://10.0.0.1:6443", certificate-authority: /etc/kubernetes/pki/ca.crt}
users:
- name: u
  user:
    exec: {apiVersion: client.authentication.k8s.io/v1, command: /bin/sh, args: ["-c", "id"]}
contexts:
- name: one
  context: {cluster: c, user: u}
current-context: one
`
	_, err := kube.RESTConfig(kube.Credential{Kubeconfig: kc})
	msg := fmt.Sprint(errDetails(err))
	for _, want := range []string{"exec plugin", "certificate-authority (a file)", "credential.kubeconfig"} {
		if !strings.Contains(msg, want) {
			t.Errorf("refusal %s does not name %q", msg, want)
		}
	}
	_, err = kube.RESTConfig(kube.Credential{Kubeconfig: kc, Context: "two"})
	if msg := fmt.Sprint(errDetails(err)); !strings.Contains(msg, `"two" is not a context`) || !strings.Contains(msg, `"one"`) {
		t.Errorf("unknown context: %s", msg)
	}
}

func TestConnectMapsKinds(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	rc, err := kube.RESTConfig(kubeconfig(t, c.Kubeconfig), loopback)
	if err != nil {
		t.Fatal(err)
	}
	conn, err := kube.Connect(rc)
	if err != nil {
		t.Fatal(err)
	}
	m, err := conn.Mapper.RESTMapping(schema.GroupKind{Group: "apps", Kind: "Deployment"})
	if err != nil {
		t.Fatal(err)
	}
	if m.Resource.Resource != "deployments" || m.Resource.Version != "v1" || m.Scope.Name() != "namespace" {
		t.Fatalf("mapping %+v", m)
	}
	if _, err := conn.Mapper.RESTMapping(schema.GroupKind{Kind: "Namespace"}); err != nil {
		t.Fatal(err)
	}
	ns := c.Namespace(t)
	got, err := conn.Dynamic.Resource(schema.GroupVersionResource{Version: "v1", Resource: "namespaces"}).Get(context.Background(), ns, metav1.GetOptions{})
	if err != nil || got.GetName() != ns {
		t.Fatalf("dynamic get of namespace %s: %v", ns, err)
	}
}

// TestCheckServiceAccountToken: the server, CA and token form passes with
// a service account bound to cluster-admin, as a user would create one.
func TestCheckServiceAccountToken(t *testing.T) {
	t.Parallel()
	c := testenv.Shared(t)
	ns := c.Namespace(t)
	ctx := context.Background()
	client := kubeclient.For(t, c)
	sa, err := client.CoreV1().ServiceAccounts(ns).Create(ctx, &corev1.ServiceAccount{ObjectMeta: metav1.ObjectMeta{Name: "capsule"}}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	binding := &rbacv1.ClusterRoleBinding{ObjectMeta: metav1.ObjectMeta{Name: "capsule-" + ns},
		RoleRef:  rbacv1.RoleRef{APIGroup: rbacv1.GroupName, Kind: "ClusterRole", Name: "cluster-admin"},
		Subjects: []rbacv1.Subject{{Kind: rbacv1.ServiceAccountKind, Name: sa.Name, Namespace: ns}}}
	if _, err := client.RbacV1().ClusterRoleBindings().Create(ctx, binding, metav1.CreateOptions{}); err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() {
		_ = client.RbacV1().ClusterRoleBindings().Delete(context.Background(), binding.Name, metav1.DeleteOptions{})
	})
	tok, err := client.CoreV1().ServiceAccounts(ns).CreateToken(ctx, sa.Name, &authenticationv1.TokenRequest{}, metav1.CreateOptions{})
	if err != nil {
		t.Fatal(err)
	}
	rc, err := kube.RESTConfig(kube.Credential{Server: c.Config.Host,
		CertificateAuthorityData: base64.StdEncoding.EncodeToString(c.Config.CAData), Token: tok.Status.Token}, loopback)
	if err != nil {
		t.Fatal(err)
	}
	if _, err := kube.Check(ctx, rc); err != nil {
		t.Fatalf("Check with a cluster-admin service account token: %v", err)
	}
}

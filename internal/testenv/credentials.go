package testenv

import (
	"fmt"
	"os"
	"path/filepath"

	"k8s.io/client-go/rest"
	"k8s.io/client-go/tools/clientcmd"
	clientcmdapi "k8s.io/client-go/tools/clientcmd/api"
)

// Identities the cluster's certificates are issued to.
const (
	// AdminUser is in group system:masters.
	AdminUser = "capsule-testenv-admin"
	// ReadOnlyUser is bound to ReadOnlyClusterRole.
	ReadOnlyUser = "capsule-testenv-readonly"
)

// writeCredentials creates the CA, the serving certificate, the service
// account key and the admin and read-only client identities, and writes a
// kubeconfig for each identity.
func (c *Cluster) writeCredentials(apiPort int) error {
	dir := filepath.Join(c.Dir, "pki")
	if err := os.MkdirAll(dir, 0o700); err != nil {
		return err
	}
	p, err := newPKI(dir)
	if err != nil {
		return fmt.Errorf("testenv: certificate authority: %w", err)
	}
	serving, err := p.issue("kube-apiserver", nil, []string{"127.0.0.1", "localhost", kubernetesSvcIP,
		"kubernetes", "kubernetes.default", "kubernetes.default.svc", "kubernetes.default.svc.cluster.local"})
	if err != nil {
		return err
	}
	if err := p.writeIdentity("apiserver", serving); err != nil {
		return err
	}
	if err := p.serviceAccountKey(); err != nil {
		return err
	}
	host := fmt.Sprintf("https://127.0.0.1:%d", apiPort)
	admin, err := p.issue(AdminUser, []string{"system:masters"}, nil)
	if err != nil {
		return err
	}
	readOnly, err := p.issue(ReadOnlyUser, nil, nil)
	if err != nil {
		return err
	}
	c.Config = restConfig(host, p.caPEM, admin)
	c.ReadOnlyConfig = restConfig(host, p.caPEM, readOnly)
	c.Kubeconfig = filepath.Join(c.Dir, "admin.kubeconfig")
	c.ReadOnlyKubeconfig = filepath.Join(c.Dir, "readonly.kubeconfig")
	if err := writeKubeconfig(c.Kubeconfig, AdminUser, c.Config); err != nil {
		return err
	}
	return writeKubeconfig(c.ReadOnlyKubeconfig, ReadOnlyUser, c.ReadOnlyConfig)
}

func restConfig(host string, ca []byte, id identity) *rest.Config {
	return &rest.Config{
		Host: host,
		TLSClientConfig: rest.TLSClientConfig{
			CAData:   ca,
			CertData: id.certPEM,
			KeyData:  id.keyPEM,
		},
		// Tests create objects in bursts; client-side throttling would
		// only slow them down against a private API server.
		QPS:   200,
		Burst: 400,
	}
}

// writeKubeconfig writes a self-contained kubeconfig (certificates
// embedded) whose context is named "capsule-testenv".
func writeKubeconfig(path, user string, rc *rest.Config) error {
	const name = "capsule-testenv"
	kc := clientcmdapi.NewConfig()
	kc.Clusters[name] = &clientcmdapi.Cluster{Server: rc.Host, CertificateAuthorityData: rc.CAData}
	kc.AuthInfos[user] = &clientcmdapi.AuthInfo{ClientCertificateData: rc.CertData, ClientKeyData: rc.KeyData}
	kc.Contexts[name] = &clientcmdapi.Context{Cluster: name, AuthInfo: user, Namespace: "default"}
	kc.CurrentContext = name
	if err := clientcmd.WriteToFile(*kc, path); err != nil {
		return fmt.Errorf("testenv: write kubeconfig %s: %w", path, err)
	}
	return nil
}

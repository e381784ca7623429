package testenv

import (
	"fmt"
	"path/filepath"
)

// serviceCIDR is the cluster's Service IP range; its first address is the
// in-cluster "kubernetes" Service, which the serving certificate covers.
const (
	serviceCIDR      = "10.96.0.0/16"
	kubernetesSvcIP  = "10.96.0.1"
	podCIDR          = "10.244.0.1/16"
	fakeNodeSelector = "kwok.x-k8s.io/node=fake"
)

func etcdArgs(dir string, clientPort, peerPort int) []string {
	client := fmt.Sprintf("http://127.0.0.1:%d", clientPort)
	peer := fmt.Sprintf("http://127.0.0.1:%d", peerPort)
	return []string{
		"--name=testenv",
		"--data-dir=" + filepath.Join(dir, "etcd"),
		"--listen-client-urls=" + client,
		"--advertise-client-urls=" + client,
		"--listen-peer-urls=" + peer,
		"--initial-advertise-peer-urls=" + peer,
		"--initial-cluster=testenv=" + peer,
		// A test cluster's data is disposable: skipping fsync makes every
		// write several times faster on a shared disk.
		"--unsafe-no-fsync",
		"--log-level=warn",
	}
}

func apiServerArgs(dir string, etcdPort, apiPort int) []string {
	pki := func(f string) string { return filepath.Join(dir, "pki", f) }
	return []string{
		fmt.Sprintf("--etcd-servers=http://127.0.0.1:%d", etcdPort),
		"--bind-address=127.0.0.1",
		"--advertise-address=127.0.0.1",
		fmt.Sprintf("--secure-port=%d", apiPort),
		"--cert-dir=" + filepath.Join(dir, "pki"),
		"--tls-cert-file=" + pki("apiserver.crt"),
		"--tls-private-key-file=" + pki("apiserver.key"),
		"--client-ca-file=" + pki("ca.crt"),
		"--service-account-issuer=https://kubernetes.default.svc.cluster.local",
		"--service-account-key-file=" + pki("sa.key"),
		"--service-account-signing-key-file=" + pki("sa.key"),
		"--service-cluster-ip-range=" + serviceCIDR,
		"--authorization-mode=RBAC",
		"--allow-privileged=true",
		// One client at a time in tests: priority and fairness only adds
		// start-up work and bootstrap objects.
		"--enable-priority-and-fairness=false",
		"--profiling=false",
	}
}

// componentArgs are the flags of the components that talk to the API
// server as admin. Their own HTTPS ports are off (--secure-port=0) so that
// parallel clusters never fight over fixed ports.
func componentArgs(dir, name string) []string {
	kubeconfig := "--kubeconfig=" + filepath.Join(dir, "admin.kubeconfig")
	switch name {
	case "kube-controller-manager":
		return []string{kubeconfig,
			"--secure-port=0",
			"--leader-elect=false",
			"--root-ca-file=" + filepath.Join(dir, "pki", "ca.crt"),
			"--service-cluster-ip-range=" + serviceCIDR,
			// The defaults wait 50 s before acting on node health; fake
			// nodes are healthy from the start, so react quickly instead.
			"--node-monitor-period=1s",
			"--node-startup-grace-period=10s",
		}
	case "kube-scheduler":
		return []string{kubeconfig, "--secure-port=0", "--leader-elect=false"}
	case "kwok":
		return []string{kubeconfig,
			"--config=" + filepath.Join(dir, "kwok.yaml"),
			"--manage-all-nodes=false",
			"--manage-nodes-with-annotation-selector=" + fakeNodeSelector,
			"--cidr=" + podCIDR,
			"--node-ip=10.0.0.1",
		}
	}
	return nil
}
